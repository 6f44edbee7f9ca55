-- Stopping a job that another process runs: the stop is written on the job's row and the
-- process that holds its lease picks it up on its next poll (a chat sent by `arbord chat` may
-- run in `arbord worker`, another chat or the app).
ALTER TABLE jobs ADD COLUMN cancel_requested_at INTEGER;

-- Each engine looks for stops of its own running jobs every poll: only requested ones are indexed.
CREATE INDEX jobs_cancel_requests ON jobs (lease_owner) WHERE cancel_requested_at IS NOT NULL;
