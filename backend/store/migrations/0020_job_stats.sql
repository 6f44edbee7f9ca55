-- Jobs dashboard history (issue 21): per queue, jobs finished and how long they waited from due
-- to start, in one-minute buckets (resolution 60000, kept 48 hours) and one-hour buckets
-- (resolution 3600000, kept 90 days). Written when jobs end, in the transaction that records
-- their end, so the charts never scan the jobs table and survive restarts.
CREATE TABLE job_stats (
    resolution   INTEGER NOT NULL,           -- bucket length in ms
    queue        TEXT NOT NULL,
    bucket_start INTEGER NOT NULL,           -- ms since epoch, a multiple of resolution
    done         INTEGER NOT NULL DEFAULT 0, -- jobs that ended done
    failed       INTEGER NOT NULL DEFAULT 0, -- jobs that failed for good
    wait_sum_ms  INTEGER NOT NULL DEFAULT 0, -- their waits from run_at to their last start
    wait_max_ms  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (resolution, queue, bucket_start)
) WITHOUT ROWID;
