package demo

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/robot"
)

// RobotDeps are the stores the demo's group robots go through.
type RobotDeps struct {
	Robots *robot.Store
	DB     *db.DB
}

// LoadRobots configures three group robots (a street's WeCom group, the
// office's DingTalk group with its 08:30 digest, a community's Feishu
// group) and a webhook for the 12345 hotline, all turned off: their keys
// are made up, and a demo must not post to the real platforms. Turning one
// on with a real key under 群机器人 makes it work. It does nothing when
// robots exist already or there is no data key.
func LoadRobots(ctx context.Context, d RobotDeps) (int, error) {
	sys := access.System()
	if d.Robots == nil || d.Robots.Key == nil {
		return 0, nil
	}
	list, err := d.Robots.Robots(ctx, sys)
	if err != nil || len(list) > 0 {
		return 0, err
	}
	community, err := org.UnitIDByCode(ctx, d.DB, "410411001001")
	if err != nil || community == 0 {
		return 0, fmt.Errorf("demo robots: %w", err)
	}
	robots := []robot.RobotInput{
		{Name: "马庄街道创文工作群", Platform: robot.WeCom, RegionCode: "410411001", Endpoint: "3f2a9c1e-5b7d-4e8f-a1b2-c3d4e5f6a7b8",
			Events: []string{robot.CaseDispatched, robot.CaseOverdueYellow, robot.CaseOverdueRed, robot.CaseVerifyFailed, robot.BulletinIssued}},
		{Name: "湛河区创文办督办群", Platform: robot.DingTalk, RegionCode: District,
			Endpoint: "9c1f0e2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100",
			Secret:   "SEC4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1",
			Events:   []string{robot.CaseReturned, robot.CaseOverdueRed, robot.BulletinIssued, robot.TaskOverdue, robot.DailyDigest}, DigestAt: "08:30"},
		{Name: "电力社区网格群", Platform: robot.Feishu, UnitID: community, Endpoint: "6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a",
			Secret: "dEmOsEcReT2026abc", Events: []string{robot.CaseDispatched, robot.CaseOverdueYellow, robot.DailyDigest}, DigestAt: "08:30"},
	}
	n := 0
	for _, in := range robots {
		id, err := d.Robots.CreateRobot(ctx, sys, in)
		if err != nil {
			return n, fmt.Errorf("demo robot %s: %w", in.Name, err)
		}
		off := in
		off.Endpoint, off.Secret, off.Enabled = "", "", false
		if err := d.Robots.UpdateRobot(ctx, sys, id, off); err != nil {
			return n, fmt.Errorf("demo robot %s: %w", in.Name, err)
		}
		n++
	}
	// 203.0.113.0/24 is the documentation range: nobody answers there.
	id, _, err := d.Robots.CreateWebhook(ctx, sys, robot.WebhookInput{Name: "12345 热线对接", URL: "https://203.0.113.10/wenming/events",
		Events: []string{robot.CaseDispatched, robot.CaseReturned, robot.CaseOverdueRed}})
	if err != nil {
		return n, fmt.Errorf("demo webhook: %w", err)
	}
	return n, d.Robots.SetWebhookEnabled(ctx, sys, id, false)
}
