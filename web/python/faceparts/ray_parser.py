"""Batch parsing on a Ray cluster (the optional `ray` extra): the jobs (jobs.py: images and videos)
as a Ray Dataset, run by a pool of actors that each load the models once and write their outputs
to the output folder, which every node must see. Imported only when Ray is installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .jobs import Options, make_parser, run_job

# Jobs per call of an actor: small, so that progress is smooth and a restarted actor redoes little.
BATCH_SIZE = 4


class ParserActor:
    """One per worker: the models, loaded once, then batch after batch of jobs."""

    def __init__(self, options: dict):
        self.options = Options(**options)
        self.parser = make_parser(self.options)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = [run_job(self.parser, (kind, Path(first), Path(second)), self.options)
                   for kind, first, second in zip(batch["kind"], batch["first"], batch["second"])]
        classes = len(self.parser.class_names)
        empty = np.zeros((classes, classes), dtype=np.int64)
        return {
            "image": np.array([r["image"] for r in results], dtype=object),
            "faces": np.array([r.get("faces", 0) for r in results], dtype=np.int64),
            "whole": np.array([bool(r.get("whole")) for r in results]),
            "frames": np.array([r.get("frames", 1) for r in results], dtype=np.int64),
            "error": np.array([r.get("error") or "" for r in results], dtype=object),
            "note": np.array([r.get("note") or "" for r in results], dtype=object),
            "confusion": np.stack([np.asarray(r["confusion"]) if r.get("confusion") is not None else empty for r in results]),
        }


def parse_with_ray(jobs, options: Options, workers: int):
    """Yields each job's result (jobs.run_job's dict) as the actors finish it."""
    import ray

    items = [{"kind": kind, "first": str(first), "second": str(second)} for kind, first, second in jobs]
    dataset = ray.data.from_items(items, override_num_blocks=max(1, min(len(items), 4 * workers)))
    parsed = dataset.map_batches(
        ParserActor,
        fn_constructor_kwargs={"options": options.__dict__},
        batch_size=BATCH_SIZE,
        batch_format="numpy",
        concurrency=workers,
        num_cpus=1,
        # Ray Data's actor pools replace a dead actor and run its unfinished batches again by
        # default (max_restarts and max_task_retries -1); tests/integration/test_batch.py checks.
    )
    for row in parsed.iter_rows():
        result = {"image": row["image"], "faces": int(row["faces"]), "whole": bool(row["whole"]), "frames": int(row["frames"])}
        if row["error"]:
            result["error"] = row["error"]
        if row["note"]:
            result["note"] = row["note"]
        if jobs and jobs[0][0] == "eval":
            result["confusion"] = np.asarray(row["confusion"])
        yield result
