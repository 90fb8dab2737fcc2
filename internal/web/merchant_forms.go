package web

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/merchant"
)

// merchantForm reads a merchant as posted.
func merchantForm(r *http.Request) (merchant.Input, error) {
	num := func(name string) (float64, error) {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			return 0, nil
		}
		return strconv.ParseFloat(v, 64)
	}
	in := merchant.Input{Name: r.PostFormValue("name"), CreditCode: r.PostFormValue("credit_code"), BusinessType: r.PostFormValue("business_type"),
		Address: r.PostFormValue("address"), SiteID: formID(r, "site_id"), Operator: r.PostFormValue("operator"), Phone: r.PostFormValue("phone"),
		FrontageKind: r.PostFormValue("frontage_kind"), FrontageJSON: r.PostFormValue("frontage"), Duties: r.PostForm["duties"],
		CommitmentOn: r.PostFormValue("commitment_on")}
	var err1, err2, err3 error
	in.Lng, err1 = num("lng")
	in.Lat, err2 = num("lat")
	in.FrontageMeters, err3 = num("frontage_meters")
	if err1 != nil || err2 != nil {
		return in, apperr.Invalid("merchant.place_invalid")
	}
	if err3 != nil {
		return in, apperr.Invalid("merchant.frontage_meters_invalid", int(merchant.MaxFrontageMeters))
	}
	return in, nil
}

// merchantCommitmentFile is the one photo or scan of a signed commitment
// in the form's "commitment" field, if any.
func (s *Server) merchantCommitmentFile(r *http.Request) ([]*multipart.FileHeader, error) {
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, err
	}
	if r.MultipartForm == nil {
		return nil, nil
	}
	files := r.MultipartForm.File["commitment"]
	if len(files) > 1 {
		return nil, apperr.Invalid("merchant.commitment_one")
	}
	if _, err := s.inspectPhotos(r.Context(), files); err != nil {
		return nil, err
	}
	return files, nil
}

// merchantPath is a merchant's page.
func merchantPath(id int64) string { return "/merchants/" + strconv.FormatInt(id, 10) }

// merchantRoundPath is a group's flags of a month.
func merchantRoundPath(month string, g merchant.GroupKey) string {
	return "/merchants/flags/" + month + "/" + g.String()
}

// merchantXLSX is the type of the merchants' workbooks.
const merchantXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
