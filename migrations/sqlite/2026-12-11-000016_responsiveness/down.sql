ALTER TABLE appraisals DROP COLUMN responsiveness_centi;
