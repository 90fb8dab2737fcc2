package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestProblemAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	admin := app.Browser(t)
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "12345 热线")

	// A photo first; a text file is refused by its content.
	req, _ := http.NewRequest("POST", app.URL+"/api/v1/photos", bytes.NewReader(servertest.JPEGBytes(5)))
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
	if res.StatusCode != http.StatusBadRequest || servertest.ErrorCode(t, body) != "media.not_image" {
		t.Fatalf("text as photo: %d %s", res.StatusCode, body)
	}

	cat := servertest.CategoryID(t, app, "SR02")
	refused := func(name, body, code string) servertest.Scenario {
		return servertest.Scenario{Name: name, Method: "POST", URL: "/api/v1/problems", Token: token, Body: body,
			Status: http.StatusBadRequest, ErrorCode: code}
	}
	app.Run(t, []servertest.Scenario{
		refused("unknown category", `{"source":"hotline","category_id":999999,"description":"x","region_code":"410411001001"}`, "problem.category_unknown"),
		refused("empty description", `{"source":"hotline","category_id":`+cat+`,"description":" ","region_code":"410411001001"}`, "problem.description_required"),
		refused("outside China", `{"source":"hotline","category_id":`+cat+`,"description":"x","lng":139.7,"lat":35.7}`, "problem.place_outside_china"),
		refused("unknown field", `{"source":"hotline","colour":"red"}`, "api.bad_json"),
	})
	status, body := servertest.APICall(t, app, "POST", "/api/v1/problems", token,
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
		return servertest.APICall(t, app, "POST", "/api/v1/problems/"+servertest.Itoa(created.ID)+"/actions", token, body)
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
	if status, body := act(`{"action":"reopen","note":"x","photos":["` + photo.Hash + `"]}`); status != http.StatusConflict || servertest.ErrorCode(t, body) != "problem.illegal_move" {
		t.Fatalf("illegal move: %d %s", status, body)
	}
	if status, body := act(`{"action":"return","note":"x","photos":["` + strings.Repeat("0", 64) + `"]}`); status != http.StatusBadRequest || servertest.ErrorCode(t, body) != "api.unknown_photo" {
		t.Fatalf("unknown photo: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/problems/"+servertest.Itoa(created.ID), token, "")
	if status != 200 || !strings.Contains(string(body), `"action":"dispatch"`) || !strings.Contains(string(body), `"unit":"`) {
		t.Fatalf("get: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/problems?state=dispatched", token, "")
	if status != 200 || !strings.Contains(string(body), created.Code) {
		t.Fatalf("list: %d %s", status, body)
	}
}
