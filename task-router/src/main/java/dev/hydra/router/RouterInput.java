package dev.hydra.router;

import dev.hydra.router.rules.Origin;
import dev.hydra.topics.events.NodeAnnouncement;
import dev.hydra.topics.events.Task;
import dev.hydra.topics.events.TaskStatus;

/**
 * One input of the router's single-partition coordinator topic: exactly one of an approved task
 * (with where it was read), a task status or a node announcement.
 */
record RouterInput(Task task, Origin origin, TaskStatus status, NodeAnnouncement node) {

    RouterInput {
        int present = (task == null ? 0 : 1) + (status == null ? 0 : 1) + (node == null ? 0 : 1);
        if (present != 1) {
            throw new IllegalArgumentException("a router input holds exactly one of task, status, node");
        }
    }

    static RouterInput of(Task task, Origin origin) {
        return new RouterInput(task, origin, null, null);
    }

    static RouterInput of(TaskStatus status) {
        return new RouterInput(null, null, status, null);
    }

    static RouterInput of(NodeAnnouncement node) {
        return new RouterInput(null, null, null, node);
    }

    /** The key on the coordinator topic: the task id, or the node name. */
    String key() {
        return task != null ? task.id() : status != null ? status.taskId() : node.node();
    }
}
