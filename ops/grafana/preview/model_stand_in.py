#!/usr/bin/env python3
"""An OpenAI-compatible /v1/chat/completions endpoint for screenshot.sh, so that the crews of
`./hydra up` finish research tasks through their real langchain4j client and count real tokens
without a model server. The same behaviour as ModelStandIn in the ops tests: every call gets a short
final answer and a token usage; a request that mentions MODEL-REFUSES gets HTTP 400, an error the
crew cannot retry, so that the agent error panel has something to show.

Usage: model_stand_in.py PORT
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "stand-in-model"
REFUSE = b"MODEL-REFUSES"
PROMPT_TOKENS, COMPLETION_TOKENS = 120, 30


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self.path.endswith("/chat/completions"):
            self.reply(404, {"error": {"message": "only /v1/chat/completions is served"}})
        elif REFUSE in request:
            self.reply(400, {"error": {"message": "the stand-in model refuses this request",
                                       "type": "invalid_request_error"}})
        else:
            self.reply(200, {
                "id": "chatcmpl-%d" % time.monotonic_ns(), "object": "chat.completion",
                "created": int(time.time()), "model": MODEL,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "Noted; nothing further to add."}}],
                "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS,
                          "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS}})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
