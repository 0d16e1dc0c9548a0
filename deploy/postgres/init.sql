-- Runs once, when the data volume is empty. Each service owns its own
-- database and never reads another's tables.
CREATE DATABASE profiles;
CREATE DATABASE segmentation;
CREATE DATABASE experience;
CREATE DATABASE steering;
