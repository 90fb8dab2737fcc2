package survey

// SampleName and SampleNote label the shipped questionnaire: an example in
// the style of the published mock-survey questionnaires, to be replaced by
// the official one.
const (
	SampleName = "示例问卷：创建全国文明城市入户调查（模拟）"
	SampleNote = "示例：按公开的模拟测评问卷样式编写，仅供演示和试用，请以上级下发的正式问卷替换。"
)

// SampleQuestions is the sample questionnaire: 25 questions in four
// sections, with a skip rule and the four dimensions of 三率一度.
func SampleQuestions() []Question {
	yn := func(section, code, text string, d Dimension) Question {
		return Question{Section: section, Code: code, Text: text, Kind: KindYesNo, Required: true, Dimension: d, Options: DefaultYesNo(), Weight: 1}
	}
	rate := func(code, text, category string) Question {
		return Question{Section: "三、满意度", Code: code, Text: text, Kind: KindRating, Required: true, Dimension: Satisfaction,
			Options: DefaultRating(), Weight: 1, Category: category}
	}
	const s1, s2, s4 = "一、知晓率", "二、支持率与参与率", "四、基本情况"
	qs := []Question{
		yn(s1, "A1", "您是否知道我市正在创建全国文明城市？", Awareness),
		yn(s1, "A2", "您是否知道创建全国文明城市的目的是“创建为民、创建惠民”？", Awareness),
		yn(s1, "A3", "您是否知道社会主义核心价值观的主要内容？", Awareness),
		yn(s1, "A4", "您是否知道您所在社区的新时代文明实践站？", Awareness),
		yn(s1, "A5", "您是否知道创城问题可以通过“随手拍”或 12345 热线反映？", Awareness),
		{Section: s1, Code: "A6", Text: "您主要通过哪些渠道了解创建工作？（可多选）", Kind: KindMulti, Required: false, Weight: 1,
			Options: []Option{{Value: "电视广播"}, {Value: "报纸"}, {Value: "网络和手机"}, {Value: "社区宣传栏"}, {Value: "公益广告"}, {Value: "其他"}}},
		yn(s2, "B1", "您是否支持我市创建全国文明城市？", Support),
		yn(s2, "B2", "您是否支持在小区和街道开展环境整治？", Support),
		yn(s2, "B3", "您是否愿意劝导身边的不文明行为？", Support),
		yn(s2, "B4", "您是否参加过社区组织的环境清洁或志愿服务活动？", Participation),
		{Section: s2, Code: "B5", Text: "您参加过哪些活动？（可多选）", Kind: KindMulti, Required: true, Weight: 1, ShowIfCode: "B4", ShowIfAnswer: "是",
			Options: []Option{{Value: "环境清洁"}, {Value: "文明交通劝导"}, {Value: "邻里互助"}, {Value: "文明实践活动"}, {Value: "其他"}}},
		yn(s2, "B6", "您或家人是否注册为志愿者？", Participation),
		yn(s2, "B7", "您是否参与过文明家庭、好邻居等评选活动？", Participation),
		rate("C1", "您对所住小区（村）的环境卫生是否满意？", "SR02"),
		rate("C2", "您对所在区域的社会治安是否满意？", ""),
		rate("C3", "您对公共场所的公益广告宣传是否满意？", ""),
		rate("C4", "您对周边道路的交通秩序是否满意？", ""),
		rate("C5", "您对农贸市场的环境秩序是否满意？", ""),
		rate("C6", "您对社区（村）的便民服务是否满意？", ""),
		rate("C7", "您对周边公共厕所的管理是否满意？", ""),
		rate("C8", "您对我市创建全国文明城市工作的总体成效是否满意？", ""),
		{Section: "三、满意度", Code: "C9", Text: "您认为当前最需要改进的方面是什么？", Kind: KindText, Required: false, Weight: 1},
		{Section: s4, Code: "D1", Text: "您的年龄段", Kind: KindSingle, Required: true, Weight: 1,
			Options: []Option{{Value: "18-30 岁"}, {Value: "31-45 岁"}, {Value: "46-65 岁"}}},
		{Section: s4, Code: "D2", Text: "您在本地居住的年数", Kind: KindNumber, Required: true, Weight: 1},
		{Section: s4, Code: "D3", Text: "您的职业", Kind: KindSingle, Required: false, Weight: 1,
			Options: []Option{{Value: "机关事业单位"}, {Value: "企业职工"}, {Value: "个体经营"}, {Value: "离退休"}, {Value: "学生"}, {Value: "其他"}}},
	}
	// The sample framework's 问卷调查 criteria (framework/data/sample.csv)
	// the questions serve: 知晓率 (1.2.1.1), 支持率和满意度 (1.2.1.2), and
	// the residents' view of their compound's property service (2.2.2.5).
	serves := map[string]string{"A1": "1.2.1.1", "A2": "1.2.1.1", "A3": "1.2.1.1", "A4": "1.2.1.1", "A5": "1.2.1.1",
		"B1": "1.2.1.2", "B2": "1.2.1.2", "B3": "1.2.1.2", "C8": "1.2.1.2", "C1": "2.2.2.5"}
	for i := range qs {
		qs[i].Criterion = serves[qs[i].Code]
	}
	return qs
}
