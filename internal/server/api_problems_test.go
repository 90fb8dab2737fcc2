package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestProblemAPI(t *testing.T) {
	app := newTestApp(t)
	admin := app.browser(t)
	admin.signIn("admin", demoPassword("admin"))
	token := createToken(t, admin, userIDByName(t, app, "office"), "12345 热线")

	// A photo first; a text file is refused by its content.
	req, _ := http.NewRequest("POST", app.URL+"/api/v1/photos", bytes.NewReader(jpegBytes(5)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "image/jpeg")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var photo struct{ Hash string }
	json.NewDecoder(res.Body).Decode(&photo)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || len(photo.Hash) != 64 {
		t.Fatalf("photo upload: %d %+v", res.StatusCode, photo)
	}
	req, _ = http.NewRequest("POST", app.URL+"/api/v1/photos", strings.NewReader("<html>not a photo</html>"))
	req.Header.Set("Authorization", "Bearer "+token)
	res, _ = http.DefaultClient.Do(req)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || errorCode(t, body) != "media.not_image" {
		t.Fatalf("text as photo: %d %s", res.StatusCode, body)
	}

	cat := categoryID(t, app, "SR02")
	bad := []struct{ name, body, code string }{
		{"unknown category", `{"source":"hotline","category_id":999999,"description":"x","region_code":"410411001001"}`, "problem.category_unknown"},
		{"empty description", `{"source":"hotline","category_id":` + cat + `,"description":" ","region_code":"410411001001"}`, "problem.description_required"},
		{"outside China", `{"source":"hotline","category_id":` + cat + `,"description":"x","lng":139.7,"lat":35.7}`, "problem.place_outside_china"},
		{"unknown field", `{"source":"hotline","colour":"red"}`, "api.bad_json"},
	}
	for _, tc := range bad {
		status, body := apiCall(t, app, "POST", "/api/v1/problems", token, tc.body)
		if status != http.StatusBadRequest || errorCode(t, body) != tc.code {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	status, body := apiCall(t, app, "POST", "/api/v1/problems", token,
		`{"source":"hotline","category_id":`+cat+`,"description":"12345 来电：小区门口堆放装修垃圾","lng":113.33,"lat":33.70,"reporter_phone":"13812345678"}`)
	var created struct {
		ID      int64
		Code    string
		State   string
		Version int
	}
	if status != http.StatusCreated || json.Unmarshal(body, &created) != nil || created.State != "reported" {
		t.Fatalf("create: %d %s", status, body)
	}
	act := func(body string) (int, []byte) {
		return apiCall(t, app, "POST", "/api/v1/problems/"+strconvI(created.ID)+"/actions", token, body)
	}
	if status, body := act(`{"action":"file"}`); status != 200 {
		t.Fatalf("file: %d %s", status, body)
	}
	if status, body := act(`{"action":"dispatch"}`); status != 200 || !strings.Contains(string(body), `"state":"dispatched"`) {
		t.Fatalf("dispatch: %d %s", status, body)
	}
	// The office cannot accept for the unit, and a closed-only move is a conflict.
	if status, body := act(`{"action":"accept"}`); status != http.StatusForbidden {
		t.Fatalf("office accept: %d %s", status, body)
	}
	if status, body := act(`{"action":"reopen","note":"x","photos":["` + photo.Hash + `"]}`); status != http.StatusConflict || errorCode(t, body) != "problem.illegal_move" {
		t.Fatalf("illegal move: %d %s", status, body)
	}
	if status, body := act(`{"action":"return","note":"x","photos":["` + strings.Repeat("0", 64) + `"]}`); status != http.StatusBadRequest || errorCode(t, body) != "api.unknown_photo" {
		t.Fatalf("unknown photo: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/problems/"+strconvI(created.ID), token, "")
	if status != 200 || !strings.Contains(string(body), `"action":"dispatch"`) || !strings.Contains(string(body), `"unit":"`) {
		t.Fatalf("get: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/problems?state=dispatched", token, "")
	if status != 200 || !strings.Contains(string(body), created.Code) {
		t.Fatalf("list: %d %s", status, body)
	}
}

func TestOpen311(t *testing.T) {
	app := newTestApp(t)
	admin := app.browser(t)
	admin.signIn("admin", demoPassword("admin"))
	token := createToken(t, admin, userIDByName(t, app, "office"), "Open311")

	res, err := http.Get(app.URL + "/open311/v2/services.json")
	if err != nil {
		t.Fatal(err)
	}
	var services []struct {
		ServiceCode string `json:"service_code"`
		Group       string `json:"group"`
	}
	json.NewDecoder(res.Body).Decode(&services)
	res.Body.Close()
	if len(services) < 40 || services[0].ServiceCode == "" {
		t.Fatalf("services: %d", len(services))
	}
	form := url.Values{"service_code": {"SR01"}, "lat": {"33.70"}, "long": {"113.33"}, "description": {"路边垃圾无人清理"}, "api_key": {token}}
	res, err = http.PostForm(app.URL+"/open311/v2/requests.json", form)
	if err != nil {
		t.Fatal(err)
	}
	var created []struct {
		ServiceRequestID string `json:"service_request_id"`
	}
	json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || len(created) != 1 || created[0].ServiceRequestID == "" {
		t.Fatalf("create: %d %+v", res.StatusCode, created)
	}
	form.Set("api_key", "wmt_wrong")
	res, _ = http.PostForm(app.URL+"/open311/v2/requests.json", form)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(string(body), `[{"code":401`) {
		t.Fatalf("bad key: %d %s", res.StatusCode, body)
	}
	res, _ = http.Get(app.URL + "/open311/v2/requests/" + created[0].ServiceRequestID + ".json?api_key=" + token)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"status":"open"`) || !strings.Contains(string(body), `"service_code":"SR01"`) {
		t.Fatalf("get: %d %s", res.StatusCode, body)
	}
}
