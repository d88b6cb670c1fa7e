DROP TABLE complaint_charges;
DROP TABLE complaint_events;
DROP TABLE complaints;
