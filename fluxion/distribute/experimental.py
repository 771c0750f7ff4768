"""``tf.distribute.experimental``: how collectives communicate (``CommunicationOptions``).

``MultiWorkerMirroredStrategy(communication_options=...)`` reads two of them:

- ``bytes_per_pack``: 0 (the default) lets Fluxion choose: gradients averaged through
  each host's shared memory, Adam's update sharded across a host's workers
  (``fluxion.distribute.sharded_update``).  A positive size asks for MPI's
  ``Iallreduce`` on gradient buckets of that many bytes instead, each started inside
  the backward pass as soon as its gradients exist (every worker then updates all
  parameters).
- ``timeout_seconds``: how long a collective waits for the other workers before raising
  ``DeadlineExceededError`` (None: ``FLUXION_COLLECTIVE_TIMEOUT``, else 120 s, raising
  ``UnavailableError``).

``implementation`` is accepted; MPI picks its own algorithms.
"""

from __future__ import annotations

import enum


class CommunicationImplementation(enum.Enum):
    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


class CommunicationOptions:
    """Options for the collectives of a strategy."""

    def __init__(self, bytes_per_pack: int = 0, timeout_seconds: float | None = None,
                 implementation=CommunicationImplementation.AUTO):
        if bytes_per_pack < 0:
            raise ValueError(f"Argument `bytes_per_pack` must be >=0, Received "
                             f"{bytes_per_pack}.")
        if timeout_seconds is not None and timeout_seconds <= 0:
            raise ValueError(f"Argument `timeout_seconds` must be a positive number of "
                             f"seconds or None, Received {timeout_seconds}.")
        if isinstance(implementation, str):
            implementation = CommunicationImplementation(implementation.upper())
        self.bytes_per_pack = int(bytes_per_pack)
        self.timeout_seconds = timeout_seconds
        self.implementation = CommunicationImplementation(implementation)

    def __repr__(self) -> str:
        return (f"CommunicationOptions(bytes_per_pack={self.bytes_per_pack}, "
                f"timeout_seconds={self.timeout_seconds}, "
                f"implementation={self.implementation})")
