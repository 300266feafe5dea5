#!/usr/bin/env bash
# Renders docs/dashboard.png and docs/prometheus-alerts.png from a real run: `./hydra up` on free
# ports and a temporary data directory, a few waves of tasks through `./hydra submit`, Debian's
# Prometheus scraping the stack's /metrics every second with ops/prometheus/alerts.yml loaded, and
# headless Chromium photographing ops/grafana/preview (the provisioned Grafana dashboard drawn from
# Prometheus; Grafana itself needs Docker) and Prometheus's alerts page.
#
# Needs: a JDK 17 and Maven (./hydra builds itself), python3, /usr/bin/prometheus, /usr/bin/chromium.
# Takes about four minutes. Usage: ops/grafana/preview/screenshot.sh [OUTPUT_DIR]   (default: docs/)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="$(mkdir -p "${1:-$repo/docs}" && cd "${1:-$repo/docs}" && pwd)"
for tool in python3 curl /usr/bin/prometheus /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool is missing (.ci/run installs prometheus and chromium)" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
stop() {
  local status=$?
  # Only what this script started, newest first; the stack gets time to close cleanly.
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    kill "${pids[i]}" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "${pids[i]}" 2>/dev/null || break; sleep 0.5; done
    kill -9 "${pids[i]}" 2>/dev/null || true
  done
  if (( status == 0 )); then rm -rf "$work"; else echo "screenshot.sh: failed; logs kept in $work" >&2; fi
}
trap stop EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS WHAT COMMAND...
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )); then
      echo "screenshot.sh: gave up waiting for $what" >&2
      exit 1
    fi
    sleep 1
  done
}
http_port=$(free_port); kafka_port=$(free_port); prometheus_port=$(free_port); model_port=$(free_port)
prometheus="http://127.0.0.1:$prometheus_port"

echo "building if needed..." >&2
"$repo/hydra" --version >/dev/null

echo "starting the model stand-in and ./hydra up (console on :$http_port, Kafka on :$kafka_port)..." >&2
python3 "$here/model_stand_in.py" "$model_port" >"$work/model.log" 2>&1 &
pids+=($!)
export HYDRA_DATA_DIR="$work/data" HYDRA_HTTP_PORT="$http_port" HYDRA_KAFKA_BOOTSTRAP="127.0.0.1:$kafka_port"
export HYDRA_LLM_BASE_URL="http://127.0.0.1:$model_port/v1" HYDRA_LLM_MODEL="stand-in-model"
"$repo/hydra" up --kafka-port "$kafka_port" >"$work/hydra.log" 2>&1 &
pids+=($!)
wait_for 300 "./hydra up" curl -fsS "http://127.0.0.1:$http_port/health"

echo "starting Prometheus on :$prometheus_port..." >&2
# The repository's job names and rule file; the one target is this stack, scraped every second.
{
  echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
  echo "rule_files: [\"$repo/ops/prometheus/alerts.yml\"]"
  echo "scrape_configs:"
  sed -n 's/^ *- job_name: *//p' "$repo/ops/prometheus/prometheus.yml" | while read -r job; do
    echo "  - {job_name: $job, static_configs: [{targets: [\"127.0.0.1:$http_port\"]}]}"
  done
} >"$work/prometheus.yml"
/usr/bin/prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
  --web.listen-address="127.0.0.1:$prometheus_port" --web.user-assets="$repo/ops/grafana" \
  --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_for 60 "Prometheus" curl -fsS "$prometheus/-/ready"
started=$(date +%s)

task() { # task ID CREW PRIORITY DESCRIPTION TASK_JSON [RESOURCES_JSON]
  printf '{"id": "%s", "crew": "%s", "priority": %s, "description": "%s", "task": %s, "resources": %s}\n' \
    "$1" "$2" "$3" "$4" "$5" "${6:-[]}"
}
wave() { # the tasks of wave $1: every crew busy, research spending tokens, conflicts, failures, approvals
  local w=$1 crew n
  for crew in research development infrastructure self_improvement; do
    for n in 1 2 3; do
      task "shot-$w-$crew-$n" "$crew" 3 "pipeline smoke task" \
        "{\"action\": \"noop\", \"sleepMs\": $(( (RANDOM % 3000) + 1500 )), \"target\": \"$w-$n\"}"
    done
  done
  if (( w == 1 || w == 4 )); then  # a burst of low-priority work: the queue fills and drains
    for n in $(seq 12); do
      task "shot-$w-burst-$n" research 4 "background reading" "{\"action\": \"noop\", \"sleepMs\": 700, \"target\": \"burst-$w-$n\"}"
    done
  fi
  for n in 1 2; do
    task "shot-$w-topic-$n" research 2 "Research: topic $w.$n" "{\"action\": \"research_topic\", \"topic\": \"topic $w.$n\"}"
  done
  # Two tasks that change the same path: the second is held until the first is done.
  task "shot-$w-holder" infrastructure 2 "holds the demo path" \
    "{\"action\": \"noop\", \"sleepMs\": 4000, \"target\": \"holder-$w\"}" "[\"path:/workspace/demo-$w\"]"
  task "shot-$w-waiter" development 2 "needs the demo path too" \
    "{\"action\": \"noop\", \"target\": \"waiter-$w\"}" "[\"path:/workspace/demo-$w\"]"
  if (( w % 2 == 0 )); then
    task "shot-$w-refused" research 3 "Research: MODEL-REFUSES $w" "{\"action\": \"research_topic\", \"topic\": \"MODEL-REFUSES $w\"}"
  fi
  if (( w == 2 || w == 3 || w == 5 )); then  # waits for a person (the constitution's supervised operations)
    task "shot-$w-migration" development 2 "planned migration $w" "{\"action\": \"run_sql\", \"sql\": \"DROP DATABASE letta_old_$w\"}"
  fi
}

for w in 1 2 3 4 5 6; do
  echo "wave $w of 6..." >&2
  wave "$w" | "$repo/hydra" submit - >>"$work/submit.log" 2>&1
  sleep 20
done

query() { curl -fsS --get "$prometheus/api/v1/query" --data-urlencode "query=$1"; }
has_data() { query "$1" | grep -q '"value"'; }
for q in 'sum(hydra_tasks_completed_total) > 0' 'sum(hydra_llm_tokens_total) > 0' 'sum(hydra_agent_errors_total) > 0' \
         'sum(hydra_conflicts_resolved_total) > 0' 'hydra_approval_queue_size > 0'; do
  wait_for 60 "$q" has_data "$q"
done

echo "photographing..." >&2
shoot() { # shoot FILE WIDTH,HEIGHT URL
  /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/chromium" --hide-scrollbars \
    --window-size="$2" --virtual-time-budget=15000 --screenshot="$1" "$3" >"$work/chromium.log" 2>&1
}
shoot "$out/dashboard.png" 1600,1640 "$prometheus/user/preview/index.html?from=$started&scrape=1s"
shoot "$out/prometheus-alerts.png" 1400,620 "$prometheus/classic/alerts"
echo "wrote $out/dashboard.png and $out/prometheus-alerts.png" >&2
