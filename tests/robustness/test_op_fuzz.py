"""The op fuzzer, with a fixed seed and bounded time: no raw exceptions, and eager and
compiled execution (every dimension unknown) agree on results and on failures."""

import collections

import op_fuzzer


def test_fuzzed_ops_raise_only_tf_errors_and_agree_eager_and_compiled():
    problems = collections.defaultdict(list)
    for name, problem, detail in op_fuzzer.fuzz(seed=20261207, trials=2000):
        problems[(name, problem)].append(detail)
    report = "\n".join(f"{name}: {problem} x{len(details)}, e.g. {details[0]}"
                       for (name, problem), details in sorted(problems.items()))
    assert not problems, report
