-- Photos of problem reports and rectifications, content-addressed: hash is
-- the hex SHA-256 of the original bytes. The blob store keeps the original
-- under orig/<hash> (private: its EXIF may locate the reporter) and two
-- metadata-free JPEGs under display/<hash>.jpg and thumb/<hash>.jpg.
CREATE TABLE photo (
    hash TEXT PRIMARY KEY,
    mime TEXT NOT NULL,              -- image/jpeg, image/png or image/webp
    width INTEGER NOT NULL,          -- upright size, after the EXIF orientation
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,           -- size of the original
    taken_at BIGINT,                 -- EXIF DateTimeOriginal, unix ms
    lng DOUBLE PRECISION,            -- EXIF GPS position, WGS-84
    lat DOUBLE PRECISION,
    original_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    CHECK ((lng IS NULL) = (lat IS NULL))
);
