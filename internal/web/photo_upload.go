package web

import (
	"context"
	"mime/multipart"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/problem"
)

// maxPhotoForm bounds what the multipart parser keeps in memory; larger
// uploads spill to temporary files.
const maxPhotoForm = 8 << 20

// inspectPhotos checks the uploaded files of a form field and reads their
// headers, storing nothing.
func (s *Server) inspectPhotos(ctx context.Context, files []*multipart.FileHeader) ([]media.Photo, error) {
	if len(files) > problem.MaxPhotos {
		return nil, apperr.Invalid("problem.too_many_photos", problem.MaxPhotos)
	}
	var photos []media.Photo
	for _, fh := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := fh.Open()
		if err != nil {
			return nil, apperr.Invalid("media.not_image")
		}
		p, err := s.Media.Inspect(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		photos = append(photos, p)
	}
	return photos, nil
}

// ingestPhotos stores the uploaded files of a form field and returns their
// hashes; nothing of a bad file is kept.
func (s *Server) ingestPhotos(ctx context.Context, files []*multipart.FileHeader) ([]string, []media.Photo, error) {
	if len(files) == 0 {
		return nil, nil, nil
	}
	if len(files) > problem.MaxPhotos {
		return nil, nil, apperr.Invalid("problem.too_many_photos", problem.MaxPhotos)
	}
	var hashes []string
	var photos []media.Photo
	// Decoding a photo takes tens of megabytes: a few at a time per server.
	select {
	case s.ingestSlots <- struct{}{}:
		defer func() { <-s.ingestSlots }()
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return nil, nil, apperr.Invalid("media.not_image")
		}
		p, err := s.Media.Ingest(ctx, f, fh.Filename)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		hashes = append(hashes, p.Hash)
		photos = append(photos, p)
	}
	return hashes, photos, nil
}
