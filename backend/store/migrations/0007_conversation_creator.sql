-- Arbor local store, version 7: who started a shared conversation.
--
-- The team server lets only a conversation's creator or an admin of its workspace rename it,
-- change its settings or delete it (row-level security). created_by is the creator's role name
-- as the server reported it; NULL for a conversation started on this device. The store refuses
-- such a change up front instead of keeping a local edit the server will never accept.
ALTER TABLE conversations ADD COLUMN created_by TEXT;
