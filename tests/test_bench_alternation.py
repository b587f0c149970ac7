"""The bench's crawl pairs run in turn, govwatch first and then the bare spider first
(``bench.crawlbench.alternated``), and each side's runs are pooled into one set of figures
(``pooled``)."""

from __future__ import annotations

from collections.abc import Callable

from bench.crawlbench import _ratios, alternated, pooled


def test_the_pairs_alternate_which_side_runs_first() -> None:
    order: list[str] = []

    def side(name: str) -> Callable[[int], str]:
        def crawl(repeat: int) -> str:
            order.append(f"{name}{repeat}")
            return f"{name}{repeat}"
        return crawl

    ours, theirs = alternated(3, side("govwatch"), side("bare"))
    assert order == ["govwatch0", "bare0", "bare1", "govwatch1", "govwatch2", "bare2"]
    assert ours == ["govwatch0", "govwatch1", "govwatch2"]
    assert theirs == ["bare0", "bare1", "bare2"]
    assert alternated(1, side("a"), side("b")) == (["a0"], ["b0"])


def _run(fetch: float, command: float, cpu: float, rss: float) -> dict[str, float]:
    pages = 1000
    return {"pages": pages, "fetch_seconds": fetch, "command_seconds": command,
            "pages_per_s_fetch": round(pages / fetch, 1),
            "pages_per_s_end_to_end": round(pages / command, 1),
            "cpu_seconds": cpu, "crawl_cpu_seconds": cpu,
            "cpu_per_1000_pages": cpu, "crawl_cpu_per_1000_pages": cpu,
            "crawl_process_peak_rss_mb": rss}


def test_runs_pool_into_average_times_and_the_highest_memory() -> None:
    one = pooled([_run(2.0, 2.5, 3.0, 400.0), _run(4.0, 4.5, 5.0, 300.0)])
    assert one["fetch_seconds"] == 3.0 and one["command_seconds"] == 3.5
    assert one["pages_per_s_fetch"] == round(1000 / 3.0, 1)  # from the average time
    assert one["cpu_per_1000_pages"] == 4.0
    assert one["crawl_process_peak_rss_mb"] == 400.0
    assert len(one["runs"]) == 2 and one["same_pages"]
    single = _run(2.0, 2.5, 3.0, 400.0)
    assert pooled([single]) is single


def test_a_machine_slowing_steadily_favours_neither_side_once_the_order_alternates() -> None:
    # both sides equally quick; the machine slows by 10 % a run: AB then BA pools to 1
    slow = iter([1.0, 1.1, 1.2, 1.3])
    ours, theirs = alternated(2, lambda r: _run(next(slow), 1.5, 2.0, 1.0),
                              lambda r: _run(next(slow), 1.5, 2.0, 1.0))
    assert _ratios(pooled(ours), pooled(theirs))["ratio_fetch"] == 1.0
    # one run each, govwatch always first, would have said 1.1
    assert _ratios(ours[0], theirs[0])["ratio_fetch"] == 1.1
