#!/usr/bin/env python3
"""A deliberately wrong node of Maelstrom's lin-kv workload, for raftsh's tests.

Every node answers from its own dictionary: no consensus, no replication. A client that writes
through one node and reads through another sees stale values, so a history that touches two
nodes is not linearizable, and `expect linearizable` must say so.
"""
import json
import sys

node_id = None
data = {}
next_id = 0


def reply(request, body):
    global next_id
    next_id += 1
    body["msg_id"] = next_id
    if "msg_id" in request["body"]:
        body["in_reply_to"] = request["body"]["msg_id"]
    sys.stdout.write(json.dumps({"src": node_id or request["dest"], "dest": request["src"], "body": body}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    msg = json.loads(line)
    body = msg["body"]
    kind = body["type"]
    key = json.dumps(body.get("key"))
    if kind == "init":
        node_id = body["node_id"]
        reply(msg, {"type": "init_ok"})
    elif kind == "read":
        if key in data:
            reply(msg, {"type": "read_ok", "value": data[key]})
        else:
            reply(msg, {"type": "error", "code": 20, "text": "key does not exist"})
    elif kind == "write":
        data[key] = body["value"]
        reply(msg, {"type": "write_ok"})
    elif kind == "cas":
        if key not in data:
            reply(msg, {"type": "error", "code": 20, "text": "key does not exist"})
        elif data[key] != body["from"]:
            reply(msg, {"type": "error", "code": 22, "text": "expected %r" % (body["from"],)})
        else:
            data[key] = body["to"]
            reply(msg, {"type": "cas_ok"})
    else:
        reply(msg, {"type": "error", "code": 10, "text": "unsupported: " + kind})
