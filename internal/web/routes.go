package web

import "net/http"

// Register adds every page to mux: this table is the one place that lists
// them. Each page passes through the chain in middleware.go (session, CSRF,
// forced password change, then for limited pages the rate limit); member
// pages need a signed-in user, anyone pages do not.
func (s *Server) Register(mux *http.ServeMux) {
	member := func(h handlerFunc) http.Handler { return s.chain(h, true, nil) }
	anyone := func(h handlerFunc) http.Handler { return s.chain(h, false, nil) }
	limited := func(h handlerFunc) http.Handler { return s.chain(h, false, s.PublicLimit) }
	tracked := func(h handlerFunc) http.Handler { return s.chain(h, false, s.TrackLimit) }
	lookup := func(h handlerFunc) http.Handler {
		var next http.Handler = s.serve(h)
		if s.PlaceLimit != nil {
			next = s.rateLimit(s.PlaceLimit, "place:", next)
		}
		return s.session(false, next)
	}

	mux.Handle("GET /static/", s.assets)
	mux.Handle("GET /favicon.ico", s.assets.file("favicon.ico"))

	// Sign-in, password and the home page.
	mux.Handle("GET /login", anyone(s.loginShow))
	mux.Handle("POST /login", anyone(s.login))
	mux.Handle("POST /logout", member(s.logout))
	mux.Handle("GET /password", member(s.passwordShow))
	mux.Handle("POST /password", member(s.changePassword))
	mux.Handle("GET /{$}", member(s.home))

	// Regions and grids.
	mux.Handle("GET /regions", member(s.regionTree))
	mux.Handle("GET /regions/search", member(s.regionSearch))
	mux.Handle("GET /regions/{code}", member(s.regionDetail))
	mux.Handle("GET /regions/{code}/children", member(s.regionChildren))
	mux.Handle("POST /regions/{code}/grids", member(s.gridAdd))
	mux.Handle("POST /regions/{code}/grids/import", member(s.gridImport))
	mux.Handle("GET /grids/{code}/edit", member(s.gridEditForm))
	mux.Handle("POST /grids/{code}", member(s.gridUpdate))
	mux.Handle("POST /grids/{code}/delete", member(s.gridDelete))

	// Units, users, API tokens and the SMS log.
	mux.Handle("GET /units", member(s.unitList))
	mux.Handle("GET /units/pick", member(s.unitPick))
	mux.Handle("GET /units/new", member(s.unitNew))
	mux.Handle("POST /units", member(s.unitCreate))
	mux.Handle("GET /units/{id}", member(s.unitDetail))
	mux.Handle("GET /units/{id}/edit", member(s.unitEdit))
	mux.Handle("POST /units/{id}", member(s.unitUpdate))
	mux.Handle("GET /users", member(s.userList))
	mux.Handle("GET /users/new", member(s.userNew))
	mux.Handle("POST /users", member(s.userCreate))
	mux.Handle("GET /users/{id}", member(s.userDetail))
	mux.Handle("GET /users/{id}/edit", member(s.userEdit))
	mux.Handle("POST /users/{id}", member(s.userUpdate))
	mux.Handle("POST /users/{id}/reset-password", member(s.userResetPassword))
	mux.Handle("GET /admin/tokens", member(s.tokenList))
	mux.Handle("GET /admin/sms", member(s.smsLog))
	mux.Handle("POST /admin/tokens", member(s.tokenCreate))
	mux.Handle("POST /admin/tokens/{id}/revoke", member(s.tokenRevoke))

	// The ledger: list, map, cases, reports, photos, notifications and the workbook.
	mux.Handle("GET /problems", member(s.ledgerList))
	mux.Handle("GET /problems/kpis", member(s.ledgerKPIs))
	mux.Handle("GET /problems/map", member(s.ledgerMap))
	mux.Handle("GET /problems/map.geojson", member(s.ledgerGeoJSON))
	mux.Handle("GET /problems/{id}", member(s.casePage))
	mux.Handle("POST /problems/{id}/act", member(s.caseAct))
	mux.Handle("GET /report", member(s.reportNew))
	mux.Handle("POST /report", member(s.reportSubmit))
	mux.Handle("GET /photos/{hash}/{size}", member(s.photo))
	mux.Handle("GET /notifications", member(s.notificationList))
	mux.Handle("POST /notifications/read", member(s.notificationsRead))
	mux.Handle("GET /problems/export.xlsx", member(s.ledgerExport))
	mux.Handle("GET /problems/import", member(s.ledgerImportForm))
	mux.Handle("GET /problems/import/template.xlsx", member(s.ledgerImportTemplate))
	mux.Handle("POST /problems/import", member(s.ledgerImport))

	// The public report form (市民随手拍): no account, rate limited per client address.
	// Places: the maps' base layer and the place pickers of the forms; the
	// public form asks the /public/places variants, which answer with
	// public names only and are throttled per address.
	mux.Handle("GET /places/areas.geojson", anyone(s.placeAreas))
	mux.Handle("GET /places/regions", member(s.placeRegions))
	mux.Handle("GET /places/sites", member(s.placeSites))
	mux.Handle("GET /places/search", member(s.placeSearch))
	mux.Handle("GET /public/places/regions", lookup(s.placeRegions))
	mux.Handle("GET /public/places/sites", lookup(s.placeSites))
	mux.Handle("GET /public/places/search", lookup(s.placeSearch))

	mux.Handle("GET /public/report", anyone(s.publicForm))
	mux.Handle("POST /public/report", limited(s.publicSubmit))
	mux.Handle("GET /report/kept/{ticket}", anyone(s.keptPhoto))

	// A citizen's report: its private status link, the after-photos and
	// the satisfaction answer, rate limited per client address.
	mux.Handle("GET /track/{token}", tracked(s.trackPage))
	mux.Handle("GET /track/{token}/photos/{hash}/{size}", tracked(s.trackPhoto))
	mux.Handle("POST /track/{token}/feedback", tracked(s.trackFeedback))
	mux.Handle("POST /problems/{id}/feedback", member(s.caseFeedback))

	// The configuration: category catalogue, working calendar, routing rules.
	mux.Handle("GET /settings", member(s.settingsIndex))
	mux.Handle("GET /settings/categories", member(s.categoryList))
	mux.Handle("GET /settings/categories/new", member(s.categoryNew))
	mux.Handle("POST /settings/categories", member(s.categoryCreate))
	mux.Handle("GET /settings/categories/{id}/edit", member(s.categoryEdit))
	mux.Handle("POST /settings/categories/{id}", member(s.categoryUpdate))
	mux.Handle("POST /settings/categories/{id}/active", member(s.categoryActive))
	mux.Handle("GET /settings/category-tops/new", member(s.categoryTopNew))
	mux.Handle("POST /settings/category-tops", member(s.categoryTopCreate))
	mux.Handle("GET /settings/category-tops/{id}/edit", member(s.categoryTopEdit))
	mux.Handle("POST /settings/category-tops/{id}", member(s.categoryTopUpdate))
	mux.Handle("POST /settings/category-tops/{id}/active", member(s.categoryTopActive))
	mux.Handle("GET /settings/calendar", member(s.calendarShow))
	mux.Handle("POST /settings/calendar/upload", member(s.calendarUpload))
	mux.Handle("POST /settings/calendar/restore", member(s.calendarRestore))
	mux.Handle("POST /settings/calendar/hours", member(s.calendarHours))
	mux.Handle("GET /settings/routing", member(s.routingList))
	mux.Handle("GET /settings/routing/new", member(s.routingNew))
	mux.Handle("POST /settings/routing", member(s.routingCreate))
	mux.Handle("GET /settings/routing/{id}/edit", member(s.routingEdit))
	mux.Handle("POST /settings/routing/{id}", member(s.routingUpdate))
	mux.Handle("POST /settings/routing/{id}/delete", member(s.routingDelete))

	// The evaluation framework: versions, one version's tree, site types.
	mux.Handle("GET /framework", member(s.fwIndex))
	mux.Handle("POST /framework/versions", member(s.fwCreate))
	mux.Handle("POST /framework/import", member(s.fwImport))
	mux.Handle("GET /framework/site-types", member(s.fwSiteTypes))
	mux.Handle("POST /framework/site-types", member(s.fwSiteTypeCreate))
	mux.Handle("POST /framework/site-types/active", member(s.fwSiteTypeActive))
	mux.Handle("GET /framework/{id}", member(s.fwVersion))
	mux.Handle("GET /framework/{id}/export", member(s.fwExport))
	mux.Handle("POST /framework/{id}/activate", member(s.fwActivate))
	mux.Handle("POST /framework/{id}/update", member(s.fwUpdate))
	mux.Handle("POST /framework/{id}/delete", member(s.fwDelete))
	mux.Handle("POST /framework/{id}/nodes", member(s.fwNodeCreate))
	mux.Handle("GET /framework/{id}/nodes/new", member(s.fwNodeNew))
	mux.Handle("GET /framework/{id}/nodes/{nid}/edit", member(s.fwNodeEdit))
	mux.Handle("POST /framework/{id}/nodes/{nid}", member(s.fwNodeUpdate))
	mux.Handle("POST /framework/{id}/nodes/{nid}/delete", member(s.fwNodeDelete))

	// Inspection sites; /s/{token} is where a scanned QR code lands (码上文明).
	mux.Handle("GET /sites", member(s.siteList))
	mux.Handle("GET /sites/new", member(s.siteNew))
	mux.Handle("POST /sites", member(s.siteCreate))
	mux.Handle("GET /sites/map", member(s.siteMap))
	mux.Handle("GET /sites/map.geojson", member(s.siteGeoJSON))
	mux.Handle("GET /sites/import", member(s.siteImportForm))
	mux.Handle("GET /sites/import/template.xlsx", member(s.siteImportTemplate))
	mux.Handle("POST /sites/import", member(s.siteImport))
	mux.Handle("GET /sites/export.xlsx", member(s.siteExport))
	mux.Handle("GET /sites/qr-sheet", member(s.siteQRSheet))
	mux.Handle("GET /sites/{id}", member(s.siteDetail))
	mux.Handle("GET /sites/{id}/edit", member(s.siteEdit))
	mux.Handle("POST /sites/{id}", member(s.siteUpdate))
	mux.Handle("POST /sites/{id}/active", member(s.siteSetActive))
	mux.Handle("POST /sites/{id}/qr", member(s.siteRegenerateQR))
	mux.Handle("GET /sites/{id}/qr.png", member(s.siteQRPNG))
	mux.Handle("GET /sites/{id}/qr.svg", member(s.siteQRSVG))
	mux.Handle("GET /sites/{id}/check", member(s.siteCheck))
	mux.Handle("GET /s/{token}", anyone(s.siteScan))

	// Inspection plans and checklists.
	mux.Handle("GET /inspections", member(s.planList))
	mux.Handle("POST /inspections", member(s.planCreate))
	mux.Handle("GET /inspections/{id}", member(s.planPage))
	mux.Handle("POST /inspections/{id}/publish", member(s.planPublish))
	mux.Handle("GET /inspections/{id}/export.xlsx", member(s.planExport))
	mux.Handle("POST /inspections/{id}/followup", member(s.planFollowup))
	mux.Handle("POST /inspections/{id}/assign", member(s.planAssign))
	mux.Handle("POST /inspections/{id}/sites/{site}/assign", member(s.planAssignSite))
	mux.Handle("GET /inspections/{id}/sites/{site}/check", member(s.checklist))
	mux.Handle("POST /inspections/{id}/sites/{site}/check", member(s.checklistSubmit))

	// Bulletins: archive, draft preview, the bulletin ({file} is an id, or an id
	// with .xlsx or .pdf), print layout, configuration, schedules and marks.
	if s.Bulletins != nil {
		mux.Handle("GET /bulletins", member(s.bulletinArchive))
		mux.Handle("POST /bulletins", member(s.bulletinIssue))
		mux.Handle("GET /bulletins/preview", member(s.bulletinPreview))
		mux.Handle("GET /bulletins/config", member(s.bulletinConfig))
		mux.Handle("POST /bulletins/config", member(s.bulletinConfigSave))
		mux.Handle("POST /bulletins/schedules", member(s.bulletinScheduleCreate))
		mux.Handle("POST /bulletins/schedules/{id}/enabled", member(s.bulletinScheduleEnabled))
		mux.Handle("POST /bulletins/schedules/{id}/delete", member(s.bulletinScheduleDelete))
		mux.Handle("GET /bulletins/marks", member(s.bulletinMarks))
		mux.Handle("POST /bulletins/marks", member(s.bulletinMark))
		mux.Handle("GET /bulletins/{file}", member(s.bulletinFile))
		mux.Handle("GET /bulletins/{id}/print", member(s.bulletinPrint))
		mux.Handle("POST /bulletins/{id}/reissue", member(s.bulletinReissue))
	}

	// The work plan (工作方案): plans as task trees, their import and export,
	// tasks with the units' progress reports and the office's review, the
	// board (亮晒比), the units' work reports (信息报送), the monthly
	// summaries (月报总结), and special campaigns (专项整治) with their bulletins.
	if s.Workplans != nil {
		mux.Handle("GET /workplans", member(s.workplanList))
		mux.Handle("POST /workplans", member(s.workplanCreate))
		mux.Handle("GET /workplans/template.xlsx", member(s.workplanTemplate))
		mux.Handle("GET /workplans/mine", member(s.workplanMine))
		mux.Handle("GET /workplans/overdue", member(s.workplanOverdue))
		mux.Handle("GET /workplans/review", member(s.workplanReview))
		mux.Handle("GET /workplans/plans/{id}", member(s.workplanShow))
		mux.Handle("POST /workplans/plans/{id}/tasks", member(s.workplanTaskCreate))
		mux.Handle("POST /workplans/plans/{id}/import", member(s.workplanImport))
		mux.Handle("GET /workplans/plans/{id}/export.xlsx", member(s.workplanExport))
		mux.Handle("GET /workplans/plans/{id}/board", member(s.workplanBoard))
		mux.Handle("GET /workplans/plans/{id}/board.xlsx", member(s.workplanBoardXLSX))
		mux.Handle("GET /workplans/tasks/{id}", member(s.workplanTaskShow))
		mux.Handle("POST /workplans/tasks/{id}/reports", member(s.workplanReportCreate))
		mux.Handle("POST /workplans/tasks/{id}/act", member(s.workplanTaskAct))
		mux.Handle("POST /workplans/tasks/{id}/edit", member(s.workplanTaskUpdate))
		mux.Handle("POST /workplans/reports/{id}/review", member(s.workplanReportReview))
		mux.Handle("GET /workplans/photos/{hash}/{size}", member(s.workplanPhoto))
		mux.Handle("GET /workplans/reports/{id}/files/{n}", member(s.workplanReportFile))
		mux.Handle("GET /workplans/work", member(s.workList))
		mux.Handle("POST /workplans/work", member(s.workCreate))
		mux.Handle("POST /workplans/work/{id}/review", member(s.workReview))
		mux.Handle("GET /workplans/summaries", member(s.summaryList))
		mux.Handle("POST /workplans/summaries", member(s.summaryDraft))
		mux.Handle("GET /workplans/summaries/{id}", member(s.summaryShow))
		mux.Handle("POST /workplans/summaries/{id}", member(s.summaryEdit))
		mux.Handle("POST /workplans/summaries/{id}/act", member(s.summaryAct))
		mux.Handle("GET /campaigns", member(s.campaignList))
		mux.Handle("POST /campaigns", member(s.campaignCreate))
		mux.Handle("GET /campaigns/{id}", member(s.campaignShow))
		mux.Handle("POST /campaigns/{id}/cases", member(s.campaignCaseAdd))
	}

	// Group robots (群机器人: WeCom, DingTalk, Feishu) an office configures
	// for a unit, a street or itself, and the outgoing webhooks an
	// administrator registers, each with its delivery log.
	if s.Robots != nil {
		mux.Handle("GET /robots", member(s.robotList))
		mux.Handle("POST /robots", member(s.robotCreate))
		mux.Handle("GET /robots/{id}", member(s.robotShow))
		mux.Handle("POST /robots/{id}", member(s.robotUpdate))
		mux.Handle("POST /robots/{id}/delete", member(s.robotDelete))
		mux.Handle("GET /admin/webhooks", member(s.webhookList))
		mux.Handle("POST /admin/webhooks", member(s.webhookCreate))
		mux.Handle("POST /admin/webhooks/{id}/enabled", member(s.webhookEnabled))
		mux.Handle("POST /admin/webhooks/{id}/delete", member(s.webhookDelete))
	}
	// Evidence dossiers (材料审核 / 创城档案): rounds (材料申报) with their
	// requirements (材料清单), import and export, the units' items with
	// uploads and the office's review, completeness, the missing items of
	// a criterion, and the ZIP export with its progress.
	if s.Dossiers != nil {
		mux.Handle("GET /dossiers", member(s.dossierList))
		mux.Handle("POST /dossiers", member(s.dossierCreate))
		mux.Handle("GET /dossiers/mine", member(s.dossierMine))
		mux.Handle("GET /dossiers/review", member(s.dossierReview))
		mux.Handle("GET /dossiers/rounds/{id}", member(s.dossierRoundShow))
		mux.Handle("POST /dossiers/rounds/{id}/requirements", member(s.dossierRequirementCreate))
		mux.Handle("POST /dossiers/rounds/{id}/import", member(s.dossierImport))
		mux.Handle("GET /dossiers/rounds/{id}/requirements.xlsx", member(s.dossierRequirementsExport))
		mux.Handle("POST /dossiers/rounds/{id}/open", member(s.dossierRoundOpen))
		mux.Handle("POST /dossiers/rounds/{id}/copy", member(s.dossierRoundCopy))
		mux.Handle("GET /dossiers/rounds/{id}/missing", member(s.dossierMissing))
		mux.Handle("POST /dossiers/rounds/{id}/export", member(s.dossierExportStart))
		mux.Handle("GET /dossiers/exports/{id}", member(s.dossierExportShow))
		mux.Handle("GET /dossiers/exports/{id}/download", member(s.dossierExportDownload))
		mux.Handle("GET /dossiers/items/{id}", member(s.dossierItemShow))
		mux.Handle("POST /dossiers/items/{id}/files", s.uploadChain(s.dossierUpload, s.Files.MaxBytes))
		mux.Handle("POST /dossiers/items/{id}/review", member(s.dossierItemReview))
		mux.Handle("POST /dossiers/items/{id}/due", member(s.dossierItemDue))
		mux.Handle("GET /dossiers/files/{id}", member(s.dossierFile))
		mux.Handle("GET /dossiers/files/{id}/{size}", member(s.dossierFileThumb))
	}
	// Selections (评选): kinds, rounds, recommendations and the public
	// self-declaration, review level by level, the 公示 with objections,
	// awards with certificates, revocation, and the honour roll (光荣榜);
	// responsibility holders (责任制: 街长、河长、联点包片) with what
	// they hold and their monthly report cards.
	if s.Selections != nil {
		mux.Handle("GET /selections", member(s.selectionList))
		mux.Handle("POST /selections/rounds", member(s.selectionRoundCreate))
		mux.Handle("GET /selections/kinds", member(s.selectionKinds))
		mux.Handle("POST /selections/kinds", member(s.selectionKindCreate))
		mux.Handle("GET /selections/rounds/{id}", member(s.selectionRoundShow))
		mux.Handle("POST /selections/rounds/{id}/nominations", member(s.selectionNominate))
		mux.Handle("POST /selections/rounds/{id}/publicity", member(s.selectionPublicity))
		mux.Handle("POST /selections/rounds/{id}/resolve", member(s.selectionObjectionResolve))
		mux.Handle("POST /selections/rounds/{id}/award", member(s.selectionAward))
		mux.Handle("POST /selections/nominations/{id}/review", member(s.selectionReview))
		mux.Handle("POST /selections/nominations/{id}/revoke", member(s.selectionRevoke))
		mux.Handle("GET /selections/nominations/{id}/certificate.pdf", member(s.selectionCertificatePDF))
		mux.Handle("GET /public/selections", anyone(s.selectionPublicList))
		mux.Handle("GET /public/selections/rounds/{id}", anyone(s.selectionPublicShow))
		mux.Handle("POST /public/selections/rounds/{id}/objections", limited(s.selectionPublicObject))
		mux.Handle("GET /public/selections/rounds/{id}/declare", anyone(s.selectionDeclareForm))
		mux.Handle("POST /public/selections/rounds/{id}/declare", limited(s.selectionDeclare))
		mux.Handle("GET /public/selections/certificates/{number}", anyone(s.selectionVerify))
		mux.Handle("GET /public/honours/{region}", anyone(s.selectionHonours))
	}
	if s.Holders != nil {
		mux.Handle("GET /holders", member(s.holderList))
		mux.Handle("POST /holders", member(s.holderCreate))
		mux.Handle("GET /holders/cards", member(s.holderCards))
		mux.Handle("GET /holders/{id}", member(s.holderShow))
	}
	// Merchants (商户) and 门前三包: the list, import and export, a merchant's
	// page with its frontage, commitment (责任书), linked cases and flags;
	// the monthly rotating flags (流动红旗) per street or site with the
	// office's changes and confirmation; the configuration; and the public
	// lookup of a merchant's flag and 诚信 title (no sign-in).
	if s.Merchants != nil {
		mux.Handle("GET /merchants", member(s.merchantList))
		mux.Handle("GET /merchants/new", member(s.merchantNew))
		mux.Handle("POST /merchants", member(s.merchantCreate))
		mux.Handle("POST /merchants/import", member(s.merchantImport))
		mux.Handle("GET /merchants/export.xlsx", member(s.merchantExport))
		mux.Handle("GET /merchants/template.xlsx", member(s.merchantTemplate))
		mux.Handle("GET /merchants/config", member(s.merchantConfig))
		mux.Handle("POST /merchants/config", member(s.merchantConfigSave))
		mux.Handle("POST /merchants/config/backfill", member(s.merchantBackfill))
		mux.Handle("GET /merchants/flags", member(s.merchantFlags))
		mux.Handle("GET /merchants/flags/{month}/{group}", member(s.merchantRound))
		mux.Handle("POST /merchants/flags/{month}/{group}/change", member(s.merchantFlagChange))
		mux.Handle("POST /merchants/flags/{month}/{group}/confirm", member(s.merchantFlagConfirm))
		mux.Handle("GET /merchants/photos/{hash}/{size}", member(s.merchantPhoto))
		mux.Handle("GET /merchants/{id}", member(s.merchantShow))
		mux.Handle("GET /merchants/{id}/edit", member(s.merchantEdit))
		mux.Handle("POST /merchants/{id}", member(s.merchantUpdate))
		mux.Handle("POST /merchants/{id}/commitment", member(s.merchantCommitment))
		mux.Handle("POST /merchants/{id}/active", member(s.merchantActive))
		mux.Handle("GET /merchant-lookup", lookup(s.merchantLookup))
		mux.Handle("GET /merchant-lookup/{id}", lookup(s.merchantLookupOne))
	}

	// Household surveys (入户调查): questionnaires, households, rounds, the
	// interviewer's visits and interviews, review, and 三率一度.
	if s.Surveys != nil {
		mux.Handle("GET /surveys", member(s.surveyList))
		mux.Handle("POST /surveys", member(s.surveyRoundCreate))
		mux.Handle("GET /surveys/questionnaires", member(s.surveyQuestionnaires))
		mux.Handle("POST /surveys/questionnaires/import", member(s.surveyQuestionnaireImport))
		mux.Handle("GET /surveys/questionnaires/{id}", member(s.surveyQuestionnaireShow))
		mux.Handle("GET /surveys/questionnaires/{id}/export.xlsx", member(s.surveyQuestionnaireExport))
		mux.Handle("POST /surveys/questionnaires/{id}/copy", member(s.surveyQuestionnaireCopy))
		mux.Handle("POST /surveys/questionnaires/{id}/replace", member(s.surveyQuestionnaireReplace))
		mux.Handle("GET /surveys/households", member(s.surveyHouseholds))
		mux.Handle("POST /surveys/households", member(s.surveyHouseholdCreate))
		mux.Handle("POST /surveys/households/import", member(s.surveyHouseholdImport))
		mux.Handle("GET /surveys/households/{id}/edit", member(s.surveyHouseholdEdit))
		mux.Handle("POST /surveys/households/{id}", member(s.surveyHouseholdUpdate))
		mux.Handle("GET /surveys/interviews/{id}", member(s.surveyInterviewShow))
		mux.Handle("POST /surveys/interviews/{id}/review", member(s.surveyReview))
		mux.Handle("GET /surveys/rounds/{id}", member(s.surveyRoundShow))
		mux.Handle("POST /surveys/rounds/{id}/assign", member(s.surveyRoundAssign))
		mux.Handle("POST /surveys/rounds/{id}/supervisors", member(s.surveyRoundSupervisor))
		mux.Handle("POST /surveys/rounds/{id}/close", member(s.surveyRoundClose))
		mux.Handle("GET /surveys/rounds/{id}/mine", member(s.surveyMine))
		mux.Handle("POST /surveys/rounds/{id}/samples/{sample}/visit", member(s.surveyVisit))
		mux.Handle("GET /surveys/rounds/{id}/samples/{sample}/interview", member(s.surveyInterviewForm))
		mux.Handle("POST /surveys/rounds/{id}/samples/{sample}/interview", member(s.surveyInterviewSubmit))
		mux.Handle("GET /surveys/rounds/{id}/review", member(s.surveyReviewQueue))
		mux.Handle("GET /surveys/rounds/{id}/results", member(s.surveyResults))
		mux.Handle("GET /surveys/rounds/{id}/results.xlsx", member(s.surveyResultsExport))
		mux.Handle("GET /surveys/rounds/{id}/answers.xlsx", member(s.surveyAnswersExport))
	}

	// Volunteering (志愿服务): the register, import and export, stations,
	// teams and their sign-ups, activities with the rotating check-in code,
	// attendance and hours, star levels, certificates and the publicity;
	// the public sign-up, publicity and certificate check need no account.
	if s.Volunteers != nil {
		mux.Handle("GET /volunteers", member(s.volunteerOverview))
		mux.Handle("GET /volunteers/me", member(s.volunteerMine))
		mux.Handle("GET /volunteers/list", member(s.volunteerList))
		mux.Handle("POST /volunteers/list", member(s.volunteerCreate))
		mux.Handle("GET /volunteers/import", member(s.volunteerImportForm))
		mux.Handle("GET /volunteers/import/template.xlsx", member(s.volunteerImportTemplate))
		mux.Handle("POST /volunteers/import", member(s.volunteerImport))
		mux.Handle("GET /volunteers/export.xlsx", member(s.volunteerExport))
		mux.Handle("GET /volunteers/{id}", member(s.volunteerShow))
		mux.Handle("POST /volunteers/accounts/{id}", member(s.volunteerAccountLink))
		mux.Handle("GET /volunteers/stations", member(s.volunteerStations))
		mux.Handle("POST /volunteers/stations", member(s.volunteerStationCreate))
		mux.Handle("GET /volunteers/teams", member(s.volunteerTeams))
		mux.Handle("POST /volunteers/teams", member(s.volunteerTeamCreate))
		mux.Handle("GET /volunteers/teams/{id}", member(s.volunteerTeamShow))
		mux.Handle("POST /volunteers/teams/{id}/members", member(s.volunteerTeamMemberAdd))
		mux.Handle("POST /volunteers/teams/{id}/decide", member(s.volunteerTeamDecide))
		mux.Handle("GET /volunteers/activities", member(s.volunteerActivities))
		mux.Handle("POST /volunteers/activities", member(s.volunteerActivityCreate))
		mux.Handle("GET /volunteers/activities/{id}", member(s.volunteerActivityShow))
		mux.Handle("POST /volunteers/activities/{id}/signup", member(s.volunteerActivitySignup))
		mux.Handle("POST /volunteers/activities/{id}/cancel", member(s.volunteerActivityCancel))
		mux.Handle("POST /volunteers/activities/{id}/attendance", member(s.volunteerActivityAttendance))
		mux.Handle("POST /volunteers/activities/{id}/confirm", member(s.volunteerActivityConfirm))
		mux.Handle("POST /volunteers/activities/{id}/corrections", member(s.volunteerActivityCorrect))
		mux.Handle("GET /volunteers/activities/{id}/code", member(s.volunteerCodeShow))
		mux.Handle("GET /volunteers/activities/{id}/code.json", member(s.volunteerCodeJSON))
		mux.Handle("GET /volunteers/checkin", member(s.volunteerCheckinForm))
		mux.Handle("POST /volunteers/checkin", member(s.volunteerCheckin))
		mux.Handle("GET /volunteers/stars", member(s.volunteerStars))
		mux.Handle("POST /volunteers/stars", member(s.volunteerStarConfirm))
		mux.Handle("GET /volunteers/certificates", member(s.volunteerCertificates))
		mux.Handle("POST /volunteers/certificates", member(s.volunteerCertificateApply))
		mux.Handle("POST /volunteers/certificates/{id}", member(s.volunteerCertificateDecide))
		mux.Handle("GET /volunteers/certificates/{file}", member(s.volunteerCertificatePDF))
		mux.Handle("GET /volunteers/publicity", member(s.volunteerPublicities))
		mux.Handle("POST /volunteers/publicity", member(s.volunteerPublicityCreate))
		mux.Handle("POST /volunteers/publicity/{id}/resolve", member(s.volunteerObjectionResolve))
		mux.Handle("GET /public/volunteers/publicity/{id}", anyone(s.volunteerPublicityShow))
		mux.Handle("POST /public/volunteers/publicity/{id}/objections", limited(s.volunteerObjectionCreate))
		mux.Handle("GET /public/volunteers/signup", anyone(s.volunteerSignupForm))
		mux.Handle("POST /public/volunteers/signup", limited(s.volunteerSignupSubmit))
		mux.Handle("GET /v/c/{code}", tracked(s.volunteerVerify))
	}

	// The projected evaluation score (测评预估): the page (?area=, ?unit=),
	// its workbook, and the office's method weights.
	if s.Projection != nil {
		mux.Handle("GET /projection", member(s.projectionShow))
		mux.Handle("GET /projection/export.xlsx", member(s.projectionExport))
		mux.Handle("POST /projection/weights", member(s.projectionWeights))
	}

	// The dashboard (数据大屏 / 一张图), its wall layout, figures and map.
	mux.Handle("GET /dashboard", member(s.dashboardShow))
	mux.Handle("GET /dashboard/wall", member(s.dashboardWall))
	mux.Handle("GET /dashboard/data.json", member(s.dashboardJSON))
	mux.Handle("GET /dashboard/problems.geojson", member(s.dashboardGeoJSON))
}
