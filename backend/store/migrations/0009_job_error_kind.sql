-- Jobs, version 3: the kind of a job's last error (jobs::ErrorKind: rate_limited, network,
-- server, ...), so that a reply waiting for its retry can say why ("rate limited by the
-- vendor, retrying in 12 s") without parsing a message meant for people. '' = none.
ALTER TABLE jobs ADD COLUMN last_error_kind TEXT NOT NULL DEFAULT '';
