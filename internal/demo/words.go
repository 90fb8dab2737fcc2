package demo

// The words of the generated district, shared by the demo's cases and the
// synthetic city's. They are data, written as a person in 平顶山 would:
// roads, and what reporters and handlers write. Each list is only read.

// Roads are streets of 湛河区 and its neighbourhood, for addresses.
func Roads() []string {
	return []string{"建设路", "中兴路", "湛河北路", "湛河南路", "光明路", "开源路", "南环路", "姚孟路", "九里山路", "曹镇路",
		"河滨路", "新华路", "平安大道", "联盟路", "神马大道", "凌云路", "体育路", "卫东路", "园林路", "矿工路", "优越路",
		"东环路", "劳动路", "长青路", "育英路", "胜利街", "和平路", "湛南路", "荆山路", "轻工路"}
}

// Landmarks finish an address after the road and number.
func Landmarks() []string {
	return []string{"号附近", "号小区门口", "号公交站旁", "号菜市场东侧", "号学校南门", "号路口", "号商铺前", "号对面",
		"号背街小巷内", "号绿化带", "号停车场", "号广场西侧", "号医院门口", "号超市旁", "号楼下"}
}

// Phrases describe a problem of a sub-category as a reporter would, keyed
// by category code; PhrasesOf covers the codes not listed.
func Phrases() map[string][]string {
	return map[string][]string{
		"SR01": {"路边有暴露垃圾未及时清运", "垃圾袋堆在人行道上无人清理", "绿地边有生活垃圾散落"},
		"SR02": {"楼下空地乱堆杂物", "人行道上堆放建筑材料", "门口堆放废旧家具"},
		"SR03": {"垃圾桶满溢，周边有散落垃圾", "垃圾箱破损，盖子缺失"},
		"SR05": {"路面积尘明显，未及时清扫", "人行道有油污"},
		"JM01": {"有商贩占道经营水果", "早市摊点占用人行道", "夜市摊位占道经营"},
		"JM02": {"门店将商品摆到店外", "餐馆在店外摆放餐桌"},
		"JM03": {"流动摊贩在学校门口聚集", "三轮车流动售卖堵塞路口"},
		"JM04": {"电线杆上贴满小广告", "墙面有非法小广告", "配电箱上张贴办证广告"},
		"JM05": {"墙面有乱涂乱画", "公交站亭被涂写"},
		"JT01": {"机动车占用人行道停放", "车辆堵塞消防通道"},
		"JT02": {"电动车乱停放堵塞盲道", "非机动车在停放区外停放"},
		"JT03": {"共享单车堆放在路口", "共享单车倒伏堵塞人行道"},
		"SS01": {"井盖缺失，存在安全隐患", "雨水篦子破损下沉"},
		"SS02": {"路灯夜间不亮", "一排路灯白天常亮"},
		"SS03": {"路面坑洼积水", "人行道砖松动破损"},
		"YL02": {"行道树倒伏", "绿化带树木枯死未补植"},
		"WM01": {"遛狗不牵绳", "犬只粪便未清理"},
		"WM02": {"有人随地吐痰乱扔烟头", "公园内乱扔垃圾"},
		"XQ01": {"楼道堆放杂物堵塞通道", "楼梯间堆放纸箱"},
		"XQ02": {"从楼上私拉电线给电动车充电", "飞线充电存在火灾隐患"},
		"XQ03": {"背街小巷垃圾堆积", "小巷路面脏乱"},
		"GY01": {"公益广告牌破损", "主干道公益广告缺失"},
		"GD02": {"工地裸土未覆盖，扬尘明显", "施工车辆未冲洗带泥上路"},
		"SC01": {"农贸市场地面污水横流", "市场内垃圾未及时清理"},
	}
}

// Urgency ends some descriptions.
func Urgency() []string {
	return []string{"，请尽快处理", "，影响市容", "，群众反映强烈", "，存在安全隐患", "", "", "，已持续多日"}
}

// RejectNotes are written by the office rejecting a report.
func RejectNotes() []string {
	return []string{"不属于创文问题范围", "信息不全，无法核实", "现场核实无此问题", "属于私人纠纷，建议通过其他渠道解决"}
}

// ReturnNotes are written by a unit returning a case.
func ReturnNotes() []string {
	return []string{"不属于本单位职责，请重新派遣", "问题位置不在本辖区", "该设施产权不属本单位"}
}

// ExtensionNotes are written by a unit asking for more time.
func ExtensionNotes() []string {
	return []string{"需协调产权单位，申请延期", "材料采购周期较长，申请延期", "雨雪天气无法施工，申请延期"}
}

// RefuseNotes are written by the office refusing an extension.
func RefuseNotes() []string {
	return []string{"时限内可以完成，不予延期", "理由不充分，不予延期"}
}

// ParkPlans are written by a unit parking a case it cannot fix soon.
func ParkPlans() []string {
	return []string{"已列入年度改造计划，资金到位后实施", "需市级统筹，纳入挂账管理", "涉及拆迁规划，待规划批复后整改"}
}

// RectifyNotes are written by a unit reporting its fix.
func RectifyNotes() []string {
	return []string{"已清理完毕", "已整改到位并拍照留存", "已约谈商户，现场整改", "已维修更换", "已安排专人清扫保洁"}
}

// PassNotes are written by a passed verification.
func PassNotes() []string {
	return []string{"现场核查已整改到位", "复核合格，予以销号", ""}
}

// FailNotes are written by a failed verification.
func FailNotes() []string {
	return []string{"现场仍有残留，未整改到位", "整改不彻底，需返工", "问题反弹，请重新整改"}
}

// PhrasesOf is what reporters write about the sub-category with the code
// and name, from Phrases (known).
func PhrasesOf(known map[string][]string, code, name string) []string {
	if p, ok := known[code]; ok {
		return p
	}
	return []string{"发现" + name + "问题", name + "，需要处理"}
}
