"""``keras.utils.Progbar``: the progress bar ``fit``, ``evaluate`` and ``predict`` print.

In a terminal (or a notebook) the bar is redrawn in place, as Keras 3 draws it::

    32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9000 - loss: 0.1000

When stdout is not a terminal (a log file, a pipe), ``verbose=1`` writes that line once,
when the bar finishes, with no carriage returns and no colour codes, so a log holds one
clean line per epoch.  ``verbose=2`` writes one summary line when the bar finishes::

    32/32 - 0s - 2ms/step - accuracy: 0.9000 - loss: 0.1000
"""

from __future__ import annotations

import math
import time

import numpy as np

from fluxion.keras.utils import io_utils

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"
_GLYPH = "\u2501"  # the bar's heavy horizontal line


class Progbar:
    """Displays a progress bar.

    Metrics are averaged over the steps seen unless they are named in
    ``stateful_metrics`` (shown as given); ``stateless_metrics`` names the averaged ones
    instead (all others are then shown as given).

    Args:
        target: total number of steps expected, None if unknown.
        width: the bar's width in characters.
        verbose: 0 (silent), 1 (a bar) or 2 (one line when done).
        interval: minimum seconds between two redraws.
        stateful_metrics: names of metrics shown as given rather than averaged.
        stateless_metrics: names of metrics that are averaged (the others shown as given).
        unit_name: what a step is called (``"step"``, ``"sample"``).

    Example:
    >>> bar = Progbar(3, verbose=2)
    >>> for step in range(3):
    ...     bar.update(step + 1, [("loss", 0.5)])  # doctest: +ELLIPSIS
    3/3 - 0s - ...
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics=None, stateless_metrics=None,
                 unit_name: str = "step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: pass only one of `stateful_metrics` (names shown as "
                             "given; the others are averaged) or `stateless_metrics` (names "
                             "averaged; the others are shown as given), not both.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateless_metrics is not None else set(
            stateful_metrics or ())
        self.stateless_metrics = None if stateless_metrics is None else set(stateless_metrics)
        self._dynamic_display = io_utils.is_dynamic_display()
        self._values: dict = {}  # name -> [weighted sum, weight]
        self._values_order: list = []
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Moves the bar to step ``current``.

        Args:
            current: index of the current step (1-based count of steps done).
            values: list of ``(name, value_for_last_step)``; averaged over steps unless
                the name is stateful.
            finalize: whether this is the last update; defaults to ``current >= target``.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values or (), finalize)
        now = time.time()
        time_per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._dynamic_display:
                self._redraw(current, now, time_per_unit, finalize)
            elif finalize:
                io_utils.print_msg(self._plain_line(current, now, time_per_unit))
        elif self.verbose == 2 and finalize and self.target:
            io_utils.print_msg(self._summary_line(current, now, time_per_unit))
        self._last_update = now

    def add(self, n: int, values=None) -> None:
        """Advances the bar by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    # -- bookkeeping -------------------------------------------------------------------

    def _is_averaged(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _record(self, current: int, values, finalize: bool) -> None:
        for name, value in values:
            if name not in self._values_order:
                self._values_order.append(name)
            if self._is_averaged(name) and not finalize:
                # Weight by the steps since the last update, so sparse updates average right.
                steps = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0.0, 0])
                total[0] = total[0] + value * steps
                total[1] += steps
            else:
                # Stateful values, and the final value of an epoch, are shown as given.
                self._values[name] = [value, 1]
        self._seen_so_far = current

    def _step_duration(self, current: int, now: float) -> float:
        """Seconds a step; the first step (often a slow trace) is left out once past it."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            duration = (now - self._time_after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return duration

    # -- formatting ----------------------------------------------------------------------

    def _count(self, current: int) -> str:
        digits = int(math.log10(self.target)) + 1
        return f"{current:{digits}d}/{self.target}"

    def _metrics_text(self) -> str:
        parts = []
        for name in self._values_order:
            total, weight = self._values[name]
            if not isinstance(total, float):
                total = float(np.mean(total))
            average = total / max(1, weight)
            parts.append(f" - {name}: {average:.4f}" if abs(average) > 1e-3
                         else f" - {name}: {average:.4e}")
        return "".join(parts)

    def _time_text(self, time_per_unit: float) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{self.unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1e3:.0f}ms/{self.unit_name}"
        return f" {time_per_unit * 1e6:.0f}us/{self.unit_name}"

    def _eta_text(self, current: int, now: float, time_per_unit: float, finalize: bool) -> str:
        if self.target and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                return f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
            if eta > 60:
                return f"{int(eta // 60)}:{int(eta % 60):02d}"
            return f"{int(eta)}s"
        return f"{now - self._start:.0f}s"  # time elapsed

    def _bar_parts(self, current: int) -> tuple:
        """(count, done, todo) pieces of the bar; done/todo are None for an unknown target."""
        if not self.target:
            return f"{current:7d}/Unknown", None, None
        done = min(int(self.width * current / self.target), self.width)
        return self._count(current), _GLYPH * done, _GLYPH * (self.width - done)

    def _redraw(self, current: int, now: float, time_per_unit: float, finalize: bool) -> None:
        """Redraws the bar in place (terminal): back over the old line, then the new one."""
        count, done, todo = self._bar_parts(current)
        eta = self._eta_text(current, now, time_per_unit, finalize)
        rest = self._time_text(time_per_unit) + self._metrics_text()
        if done is None:
            bar = count
            visible = len(count)
        else:
            bar = f"{_BOLD}{count}{_RESET} "
            if done:
                bar += f"{_GREEN}{done}{_RESET}"
            bar += f"{_GREY}{todo}{_RESET}"
            visible = len(count) + 1 + len(done) + len(todo)
        info = f" {_BOLD}{eta}{_RESET}{rest}"
        total_width = visible + 1 + len(eta) + len(rest)
        message = "\b" * self._prev_total_width + "\r" + bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        io_utils.print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def _plain_line(self, current: int, now: float, time_per_unit: float) -> str:
        """The finished bar as one line without control characters (for log files)."""
        count, done, todo = self._bar_parts(current)
        bar = count if done is None else f"{count} {done}{todo}"
        eta = self._eta_text(current, now, time_per_unit, True)
        return f"{bar} {eta}{self._time_text(time_per_unit)}{self._metrics_text()}"

    def _summary_line(self, current: int, now: float, time_per_unit: float) -> str:
        return (f"{self._count(current)} - {now - self._start:.0f}s -"
                f"{self._time_text(time_per_unit)}{self._metrics_text()}")
