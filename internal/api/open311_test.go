package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestOpen311(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	admin := app.Browser(t)
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "Open311")

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
