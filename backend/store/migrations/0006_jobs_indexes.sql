-- Job indexes, version 2: every add writes the row and one page per index it lands in (a WAL
-- frame each, committed one add at a time), so an index that a new job never needs is left
-- out of the insert path (issue #5).

-- Most jobs have no subject; the lookups by subject (a message's reply jobs) never ask for NULL.
DROP INDEX jobs_subject;
CREATE INDEX jobs_subject ON jobs (subject_id) WHERE subject_id IS NOT NULL;

-- The dashboard's counts per queue and state: queued jobs are counted through jobs_due (their
-- own partial index), so this one holds only jobs that have started.
DROP INDEX jobs_queue_state;
CREATE INDEX jobs_queue_state ON jobs (queue, state) WHERE state <> 'queued';
