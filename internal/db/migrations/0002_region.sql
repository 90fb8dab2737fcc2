-- Grid names are unique within their community. The grid functions check
-- first to give a clear message; this index settles concurrent writers.
CREATE UNIQUE INDEX region_grid_name ON region (parent_code, name) WHERE level = 6;
