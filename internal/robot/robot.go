// Package robot sends the platform's events where the campaign's people
// work: to group robots (企业微信群机器人, 钉钉自定义机器人, 飞书自定义机器人)
// that an office configures for a unit, a street or itself, and to signed
// outgoing webhooks that an administrator registers for other systems.
//
// Other domains raise an event with Hub.Publish, in the transaction that
// made it happen; Publish writes one outbox delivery per subscribed robot
// and webhook (internal/outbox: claimed once across servers, retried with
// backoff, the last error kept), and Sender sends them, keeping to each
// platform's rate limit by folding a burst into one digest message.
//
// The robots' endpoints and every secret are sealed with the data key
// (pii.Key) and never shown again once saved, and every URL is checked
// against internal targets when saved and again when dialled (ssrf.go).
package robot

import (
	"slices"
	"time"
)

// The platforms a group robot can be on.
const (
	WeCom    = "wecom"    // 企业微信群机器人: webhook key
	DingTalk = "dingtalk" // 钉钉自定义机器人: access token and signing secret
	Feishu   = "feishu"   // 飞书自定义机器人: webhook and signing secret
)

// Platforms lists the platforms in display order.
func Platforms() []string { return []string{WeCom, DingTalk, Feishu} }

// The event types. A robot or webhook subscribes to some of them; the
// daily digest is for robots only.
const (
	CaseDispatched     = "case.dispatched"      // 派遣到单位
	CaseReturned       = "case.returned"        // 单位退回
	CaseOverdueYellow  = "case.overdue_yellow"  // 逾期黄牌督办
	CaseOverdueRed     = "case.overdue_red"     // 逾期红牌督办
	CaseVerifyFailed   = "case.verify_failed"   // 核查未通过（返工）
	BulletinIssued     = "bulletin.published"   // 通报下发
	TaskOverdue        = "task.overdue"         // 工作任务逾期
	DossierItemOverdue = "dossier.item_overdue" // 材料申报事项逾期
	DailyDigest        = "digest.daily"         // 每日汇总（机器人）
)

// EventTypes lists the event types a robot can receive, in display order.
func EventTypes() []string {
	return []string{CaseDispatched, CaseReturned, CaseOverdueYellow, CaseOverdueRed, CaseVerifyFailed, BulletinIssued,
		TaskOverdue, DossierItemOverdue, DailyDigest}
}

// WebhookEventTypes lists the event types a webhook can receive.
func WebhookEventTypes() []string {
	return slices.DeleteFunc(EventTypes(), func(t string) bool { return t == DailyDigest })
}

// Event is something that happened that robots and webhooks may be told.
// Title and Markdown are Chinese for people (no personal data beyond what
// the group needs: Publish masks mobile numbers in them anyway); Object is
// the webhook's machine-readable object.
type Event struct {
	Type string
	// UnitID and Units are the units concerned: their robots receive it.
	UnitID int64
	Units  []int64
	// RegionCode is where it happened: the robots of every region that
	// holds it (a street, the office) receive it. With Down set, the
	// event concerns the whole region (a district's bulletin), and the
	// robots of the regions inside it receive it too.
	RegionCode string
	Down       bool
	Title      string
	Markdown   string
	// URL is the page to open: a path on the platform ("/problems/12"),
	// made absolute with the public base URL, or an absolute URL.
	URL    string
	Object any
	// Key, when set, makes the event once only (an escalation of a case,
	// a level and a day): a second Publish with the same key does nothing,
	// and its id is derived from it, the same on every server.
	Key string
	At  time.Time
}

// Robot is a configured group robot as pages show it: never its endpoint
// or secret, only the hint of the key's last characters.
type Robot struct {
	ID         int64
	Name       string
	Platform   string
	UnitID     int64 // a unit's robot; 0 for a region's
	UnitName   string
	RegionCode string // a street's or the office's robot: its region
	Hint       string
	HasSecret  bool
	Events     []string
	DigestAt   string // HH:MM in Asia/Shanghai; "" none
	Enabled    bool
	CreatedAt  time.Time
}

// Receives reports whether the robot subscribes to event type t.
func (r Robot) Receives(t string) bool { return slices.Contains(r.Events, t) }

// Webhook is a registered outgoing webhook as pages show it.
type Webhook struct {
	ID        int64
	Name      string
	Hint      string // the URL's host, the one part of it shown
	Events    []string
	Enabled   bool
	CreatedAt time.Time
}

// Wants reports whether the form chose event type t (for the form's boxes).
func (in RobotInput) Wants(t string) bool { return slices.Contains(in.Events, t) }

// Wants reports whether the form chose event type t.
func (in WebhookInput) Wants(t string) bool { return slices.Contains(in.Events, t) }
