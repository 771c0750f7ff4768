"""The default session: the innermost session entered with ``with`` (or an
``InteractiveSession``).

Kept apart from ``session`` so that the graph's ``Tensor.eval`` and ``Operation.run``, which
run in the default session, need not import the session module (which builds on the graph).
"""

from __future__ import annotations

sessions: list = []  # sessions entered with `with`, innermost last


def enter(session) -> None:
    """Makes ``session`` the default until ``leave(session)``."""
    sessions.append(session)


def leave(session) -> None:
    """Undoes ``enter(session)`` (nothing if it is not entered)."""
    if session in sessions:
        sessions.remove(session)


def get_default_session():
    """The innermost session entered with ``with`` (or an InteractiveSession), or None."""
    return sessions[-1] if sessions else None


def default_session(graph):
    """The default session, checked to run ``graph``."""
    session = get_default_session()
    if session is None:
        raise ValueError("Cannot execute operation using `run()`: No default session is "
                         "registered. Use `with sess.as_default():` or pass session=sess.")
    if session.graph is not graph:
        raise ValueError("Cannot use the default session to execute an operation of "
                         "another graph.")
    return session
