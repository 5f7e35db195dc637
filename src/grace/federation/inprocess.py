"""An in-process Flower ``Grid``: the real ServerApp workflow talks to real ClientApps in memory.

Why this exists: Flower's simulation engine needs Ray (``flwr[simulation]``, hundreds of MB, a
second of start-up per actor), and a deployment round costs ~14 s of polling (see
shared/reference/flower.md). A ``Grid`` is the one seam between Flower's server workflows and
the transport, so implementing it in memory lets the simulation run, unchanged, Flower's own
``DefaultWorkflow`` / ``SecAggPlusWorkflow``, its strategies (``configure_fit``/``aggregate_fit``),
its ``ClientApp`` with mods (``secaggplus_mod``, ``fixedclipping_mod``) and ``NumPyClient``
message handling, just without sockets. Nothing about aggregation or the protocol is rewritten:
this class only delivers messages, one node after the other, and keeps each node's ``Context``
(SecAgg+ keeps its per-node protocol state there between stages, as a SuperNode would).
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from uuid import uuid4

from flwr.app import Context, Error, Message, RecordDict
from flwr.clientapp import ClientApp
from flwr.common.constant import SUPERLINK_NODE_ID, ErrorCode
from flwr.serverapp.grid import Grid
from flwr.supercore.run import Run
from flwr.supercore.task_identity import TaskIdentity


class InProcessGrid(Grid):
    """Delivers each message to its node's ``ClientApp`` synchronously, in this process."""

    def __init__(self, apps: dict[int, ClientApp], contexts: dict[int, Context], run_id: int = 1):
        self._apps = apps
        self._contexts = contexts
        self._run = Run.create_empty(run_id)
        self._pending: dict[str, Message] = {}
        # Messages built by the workflows take their source from the task identity, as they
        # would in a ServerApp process started by the SuperLink.
        TaskIdentity.task_id = 1
        TaskIdentity.run_id = run_id
        TaskIdentity.node_id = SUPERLINK_NODE_ID

    def set_run(self, run: Run) -> None:
        """Adopt the run (only one run ever exists in a simulation)."""
        self._run = run

    @property
    def run(self) -> Run:
        """The run this grid serves."""
        return self._run

    def create_message(
        self,
        content: RecordDict,
        message_type: str,
        dst_node_id: int,
        group_id: str,
        ttl: float | None = None,
    ) -> Message:
        """Build an instruction message (deprecated in Flower, kept for the abstract API)."""
        return Message(content, dst_node_id, message_type, ttl=ttl, group_id=group_id)

    def get_node_ids(self) -> Iterable[int]:
        """Every simulated agency is always online."""
        return list(self._apps)

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        """Queue messages, giving each an id as the SuperLink would."""
        ids: list[str] = []
        for message in messages:
            message_id = str(uuid4())
            message.metadata.__dict__["_message_id"] = message_id
            # A copy, as the wire would make: workflows share one record between several
            # messages, and mods consume keys from what they receive (SecAgg+ pops "stage").
            self._pending[message_id] = deepcopy(message)
            ids.append(message_id)
        return ids

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        """Run the destination ClientApp on each queued message and return the replies."""
        replies: list[Message] = []
        for message_id in message_ids:
            message = self._pending.pop(message_id, None)
            if message is not None:
                replies.append(self._deliver(message))
        return replies

    def send_and_receive(
        self, messages: Iterable[Message], *, timeout: float | None = None
    ) -> Iterable[Message]:
        """Push then pull: every node answers before this returns (no polling, no sleep)."""
        return self.pull_messages(self.push_messages(messages))

    def _deliver(self, message: Message) -> Message:
        node_id = message.metadata.dst_node_id
        try:
            reply = self._apps[node_id](message, self._contexts[node_id])
        except Exception as exc:  # a failing agency is a failure result, as on a SuperNode
            reply = Message(
                Error(code=ErrorCode.CLIENT_APP_RAISED_EXCEPTION, reason=repr(exc)),
                reply_to=message,
            )
        reply.metadata.__dict__["_message_id"] = str(uuid4())
        return reply


def node_context(node_id: int, partition_id: int, num_partitions: int, run_id: int = 1) -> Context:
    """The Context a SuperNode started with ``--node-config partition-id=.. num-partitions=..``."""
    return Context(
        run_id=run_id,
        node_id=node_id,
        node_config={"partition-id": partition_id, "num-partitions": num_partitions},
        state=RecordDict(),
        run_config={},
    )


def server_context(run_id: int = 1) -> Context:
    """The Context the SuperLink hands a ServerApp."""
    return Context(
        run_id=run_id, node_id=SUPERLINK_NODE_ID, node_config={}, state=RecordDict(), run_config={}
    )
