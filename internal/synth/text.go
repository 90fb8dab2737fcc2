package synth

// The synthetic city's own words: the units it adds to the demo's
// district. What people write is shared with the demo (demo.Phrases and
// the other lists of internal/demo/words.go). Each list is only read.

// sponsorBureaus are the district bodies that sponsor (包保) communities.
func sponsorBureaus() []string {
	return []string{"湛河区审计局", "湛河区统计局", "湛河区人力资源和社会保障局", "湛河区发展和改革委员会", "湛河区司法局",
		"湛河区应急管理局", "湛河区退役军人事务局", "湛河区农业农村局", "湛河区自然资源分局", "湛河区医疗保障局",
		"湛河区信访局", "湛河区档案馆", "湛河区总工会", "共青团湛河区委", "湛河区妇女联合会", "湛河区科学技术协会",
		"湛河区人民法院", "湛河区人民检察院", "湛河区税务局", "湛河区融媒体中心", "湛河区机关事务服务中心",
		"湛河区工业和信息化局", "湛河区行政审批和政务信息管理局", "湛河区城市建设投资有限公司"}
}

// propertyBrands name the property companies (物业公司) of the estates.
func propertyBrands() []string {
	return []string{"鹰城", "平煤", "湛河", "建业", "正商", "碧桂园", "万家", "康馨", "阳光", "锦绣", "和顺", "安居",
		"金色", "绿城", "丰源", "新城", "御景", "星河"}
}
