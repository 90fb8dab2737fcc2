-- A notification may point at a bulletin instead of a case: when a bulletin
-- is issued, the handlers of every unit it lists and the leaders of its
-- region are told (通报下发提醒), and the message opens the bulletin.
ALTER TABLE notification ADD COLUMN bulletin_id BIGINT REFERENCES bulletin (id);
