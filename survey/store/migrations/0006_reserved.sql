-- 0006 belongs to another change made at the same time (the local-save path); this
-- placeholder keeps the versions contiguous on a branch without it, and is replaced by
-- that change's 0006 when the two are merged.
SELECT 1;
