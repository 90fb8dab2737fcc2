package robot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// The platforms' documented request formats, which the tests' local
// servers check (platform_test.go):
//
//   - 企业微信群机器人 (developer.work.weixin.qq.com/document/path/91770):
//     POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY with
//     {"msgtype":"markdown","markdown":{"content":"…"}}, content at most
//     4096 bytes of UTF-8; answer {"errcode":0,"errmsg":"ok"}; 20 messages
//     a minute per robot.
//   - 钉钉自定义机器人 (open.dingtalk.com/document/robots/custom-robot-access,
//     "加签"): POST https://oapi.dingtalk.com/robot/send?access_token=T
//     &timestamp=MS&sign=S where S = urlEncode(base64(HmacSHA256(key =
//     secret, message = MS + "\n" + secret))), MS the time in milliseconds
//     (within an hour of the server's); body {"msgtype":"markdown",
//     "markdown":{"title":"…","text":"…"}}; answer {"errcode":0}; 20
//     messages a minute, after which the robot is blocked for 10 minutes
//     (errcode 130101, "send too fast").
//   - 飞书自定义机器人 (open.feishu.cn/document/client-docs/bot-v3/
//     add-custom-bot, "签名校验"): POST https://open.feishu.cn/open-apis/
//     bot/v2/hook/ID with {"timestamp":"S","sign":"…","msg_type":
//     "interactive","card":{…}} where sign = base64(HmacSHA256(key = S +
//     "\n" + secret, message = empty)), S the time in seconds; answer
//     {"code":0}; 100 messages a minute and 5 a second (code 9499 or
//     11232 when exceeded).
//
// The official pages named above were read through copies of them: the
// DingTalk signing steps and example code as quoted at
// apifox.com/apidoc/docs-site/467052/doc-3550006 and
// cnblogs.com/huawublog/p/12186923.html, Feishu's as quoted at
// createh5.com/post/277.html ("timestamp + "\n" + 密钥 … HmacSHA256 …
// msg = """), and WeCom's message format as quoted at
// 037163.com/service/2020-06-18/1078.html.
const (
	wecomURL    = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
	dingtalkURL = "https://oapi.dingtalk.com/robot/send?access_token="
	feishuURL   = "https://open.feishu.cn/open-apis/bot/v2/hook/"
)

// limits are a platform's documented rate limits per robot.
type limits struct {
	perMinute, perSecond int
	blockFor             time.Duration // how long the platform blocks a robot that passed the limit
	maxBytes             int           // the longest markdown text accepted
}

func limitsOf(platform string) limits {
	switch platform {
	case DingTalk:
		return limits{perMinute: 20, blockFor: 10 * time.Minute, maxBytes: 18000}
	case Feishu:
		return limits{perMinute: 100, perSecond: 5, blockFor: time.Minute, maxBytes: 18000}
	}
	return limits{perMinute: 20, blockFor: time.Minute, maxBytes: 4096}
}

var (
	wecomKey     = regexp.MustCompile(`^[A-Za-z0-9-]{16,64}$`)
	dingToken    = regexp.MustCompile(`^[A-Za-z0-9]{16,128}$`)
	feishuHook   = regexp.MustCompile(`^[A-Za-z0-9-]{16,64}$`)
	dingSecret   = regexp.MustCompile(`^SEC[A-Za-z0-9]{16,128}$`)
	feishuSecret = regexp.MustCompile(`^[A-Za-z0-9]{8,128}$`)
)

// endpointOf reads what the office pasted (the robot's webhook address as
// the platform shows it, or only its key or token) into the URL deliveries
// are posted to, and the key's last characters as the hint pages show.
// It checks the secret's form too. official says the URL is on the
// platform's own host.
func endpointOf(platform, in, secret string) (endpoint, hint string, official bool, err error) {
	in = strings.TrimSpace(in)
	if strings.Contains(in, "://") && !strings.HasPrefix(in, "https://") && !strings.HasPrefix(in, "http://") {
		return "", "", false, apperr.Invalid("robot.url_scheme")
	}
	var key, base string
	var form *regexp.Regexp
	switch platform {
	case WeCom:
		base, form = wecomURL, wecomKey
		if strings.Contains(in, "://") {
			u, perr := url.Parse(in)
			if perr != nil {
				return "", "", false, apperr.Invalid("robot.endpoint_invalid")
			}
			key = u.Query().Get("key")
		} else {
			key, in = in, wecomURL+in
		}
	case DingTalk:
		base, form = dingtalkURL, dingToken
		if !dingSecret.MatchString(secret) {
			return "", "", false, apperr.Invalid("robot.secret_dingtalk")
		}
		if strings.Contains(in, "://") {
			u, perr := url.Parse(in)
			if perr != nil {
				return "", "", false, apperr.Invalid("robot.endpoint_invalid")
			}
			key = u.Query().Get("access_token")
		} else {
			key, in = in, dingtalkURL+in
		}
	case Feishu:
		base, form = feishuURL, feishuHook
		if !feishuSecret.MatchString(secret) {
			return "", "", false, apperr.Invalid("robot.secret_feishu")
		}
		if strings.Contains(in, "://") {
			u, perr := url.Parse(in)
			if perr != nil || !strings.Contains(u.Path, "/bot/v2/hook/") {
				return "", "", false, apperr.Invalid("robot.endpoint_invalid")
			}
			key = u.Path[strings.LastIndex(u.Path, "/")+1:]
		} else {
			key, in = in, feishuURL+in
		}
	default:
		return "", "", false, apperr.Invalid("robot.platform_invalid")
	}
	if !form.MatchString(key) {
		return "", "", false, apperr.Invalid("robot.endpoint_invalid")
	}
	return in, key[max(0, len(key)-4):], strings.HasPrefix(in, base), nil
}

// message is what a robot delivery says.
type message struct {
	Title    string `json:"title"`
	Markdown string `json:"markdown"`
	URL      string `json:"url"`
}

// dingSign is DingTalk's signature of a request (before URL encoding).
func dingSign(secret string, ms int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ms, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// feishuSign is Feishu's signature: the HMAC keyed with timestamp and
// secret, of nothing.
func feishuSign(secret string, sec int64) string {
	m := hmac.New(sha256.New, []byte(strconv.FormatInt(sec, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// text is the markdown a message becomes: the title in bold, the body and
// the link, cut to the platform's limit.
func (m message) text(platform, more string) string {
	lim := limitsOf(platform).maxBytes
	link := ""
	if m.URL != "" {
		link = "\n\n[" + more + "](" + m.URL + ")"
	}
	head := "**" + m.Title + "**\n"
	if platform == DingTalk {
		head = "#### " + m.Title + "\n\n"
	}
	body := m.Markdown
	if room := lim - len(head) - len(link); len(body) > room {
		body = cutUTF8(body, max(0, room-len("…"))) + "…"
	}
	return head + body + link
}

// cutUTF8 keeps at most n bytes of s without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

// request writes the platform's request for a message.
func request(ctx context.Context, platform, endpoint, secret string, m message, more string, now time.Time) (*http.Request, error) {
	var body any
	target := endpoint
	switch platform {
	case WeCom:
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": m.text(platform, more)}}
	case DingTalk:
		ms := now.UnixMilli()
		sep := "&"
		if !strings.Contains(target, "?") {
			sep = "?"
		}
		target += sep + "timestamp=" + strconv.FormatInt(ms, 10) + "&sign=" + url.QueryEscape(dingSign(secret, ms))
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": m.Title, "text": m.text(platform, more)}}
	case Feishu:
		sec := now.Unix()
		body = map[string]any{
			"timestamp": strconv.FormatInt(sec, 10), "sign": feishuSign(secret, sec), "msg_type": "interactive",
			"card": map[string]any{
				"header":   map[string]any{"title": map[string]string{"tag": "plain_text", "content": m.Title}},
				"elements": []any{map[string]string{"tag": "markdown", "content": m.text(platform, more)}},
			},
		}
	default:
		return nil, fmt.Errorf("robot: unknown platform %q", platform)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("robot message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("robot request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	return req, nil
}

// errRateLimited is a platform's answer that the robot sent too much; the
// sender waits the platform's block time and folds what is waiting.
var errRateLimited = errors.New("robot: the platform's rate limit was reached")

// answer reads a platform's answer: an HTTP error, a non-zero errcode
// (WeCom, DingTalk) or code (Feishu) is a failure.
func answer(platform string, res *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode == http.StatusTooManyRequests {
		return fmt.Errorf("%w: HTTP 429", errRateLimited)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("robot platform answered HTTP %d: %s", res.StatusCode, strings.TrimSpace(cutUTF8(string(raw), 200)))
	}
	var a struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("robot platform answer is not JSON: %s", strings.TrimSpace(cutUTF8(string(raw), 200)))
	}
	code, msg := 0, ""
	switch {
	case a.ErrCode != nil:
		code, msg = *a.ErrCode, a.ErrMsg
	case a.Code != nil:
		code, msg = *a.Code, a.Msg
	}
	switch {
	case code == 0:
		return nil
	case platform == DingTalk && code == 130101, platform == WeCom && code == 45009, platform == Feishu && (code == 9499 || code == 11232):
		return fmt.Errorf("%w: %d %s", errRateLimited, code, msg)
	}
	return fmt.Errorf("robot platform refused: %d %s", code, msg)
}
