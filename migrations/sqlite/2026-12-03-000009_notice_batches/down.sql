DROP TABLE notice_batches;
