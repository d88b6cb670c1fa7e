-- The fifth component (docs/PRODUCT.md, scoring): responsiveness to complaints, stored like
-- the other four as hundredths. Appraisals computed before it have none.
ALTER TABLE appraisals ADD COLUMN responsiveness_centi INTEGER;
