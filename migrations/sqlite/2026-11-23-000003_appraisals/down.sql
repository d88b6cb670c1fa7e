DROP TABLE appraisals;
