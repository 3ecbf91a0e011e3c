//! UI text in English and Simplified Chinese. Every string the page shows comes from here; a missing
//! translation is a compile error because both tables fill the same struct.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `en`, `zh`, `zh-CN`, `en-US`... (from `?lang=` or `navigator.language`).
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

impl Strings {
    pub fn proxies_changed(&self, n: usize) -> String {
        self.proxies_changed_n.replace("{n}", &n.to_string())
    }

    pub fn rows_shown(&self, shown: usize, total: usize) -> String {
        self.rows_of
            .replace("{shown}", &shown.to_string())
            .replace("{total}", &total.to_string())
    }

    pub fn findings_drawn(&self, drawn: usize, total: usize) -> String {
        self.findings_first
            .replace("{drawn}", &drawn.to_string())
            .replace("{total}", &total.to_string())
    }

    pub fn rows_drawn(&self, drawn: usize) -> String {
        self.rows_first.replace("{drawn}", &drawn.to_string())
    }
}

pub struct Strings {
    pub tagline: &'static str,
    pub language: &'static str,
    pub sources: &'static str,
    pub istio_config: &'static str,
    pub cluster: &'static str,
    pub istio_editor_label: &'static str,
    /// Over an editor holding a text too large for syntax colours.
    pub plain_text_note: &'static str,
    pub cluster_editor_label: &'static str,
    pub preset: &'static str,
    pub preset_placeholder: &'static str,
    /// The link from the loaded preset to the istio.io task it follows.
    pub istio_task: &'static str,
    pub reset_cluster: &'static str,
    pub proxy: &'static str,
    pub no_proxies: &'static str,
    pub gateway: &'static str,
    pub output: &'static str,
    pub listeners: &'static str,
    pub routes: &'static str,
    pub clusters: &'static str,
    pub endpoints: &'static str,
    pub full_dump: &'static str,
    pub derived_config: &'static str,
    pub suppress: &'static str,
    pub suppressed: &'static str,
    pub unsuppress: &'static str,
    pub format: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub close: &'static str,
    pub empty_table: &'static str,
    pub row_hint: &'static str,
    pub filter_label: &'static str,
    pub filter_placeholder: &'static str,
    /// `{shown} of {total} rows`.
    pub rows_of: &'static str,
    /// A long table draws its first rows only: `{drawn}`.
    pub rows_first: &'static str,
    pub problems: &'static str,
    pub no_problems: &'static str,
    pub findings_first: &'static str,
    /// While a large input's findings are being computed.
    pub checking: &'static str,
    /// A quick fix's button: `Use "v1"`.
    pub fix_use: &'static str,
    pub open_code_page: &'static str,
    pub stale: &'static str,
    pub error: &'static str,
    pub warning: &'static str,
    pub info: &'static str,
    pub generated_nothing: &'static str,
    pub made_by: &'static str,
    pub resize: &'static str,
    pub computing: &'static str,
    // Share, embed, compare (web/src/share.rs, views/share.rs, views/compare.rs).
    pub share: &'static str,
    pub share_title: &'static str,
    pub link_copied: &'static str,
    pub link_not_copied: &'static str,
    pub characters: &'static str,
    pub long_link: &'static str,
    pub link_label: &'static str,
    pub embed: &'static str,
    pub embed_title: &'static str,
    pub embed_view: &'static str,
    pub view_config: &'static str,
    pub view_animation: &'static str,
    pub read_only: &'static str,
    pub embed_open_at: &'static str,
    /// With `{line}`.
    pub embed_scroll_to_line: &'static str,
    pub iframe_snippet: &'static str,
    pub markdown_link: &'static str,
    pub open_in_pilot_light: &'static str,
    pub to_cluster: &'static str,
    pub download_dump: &'static str,
    pub copy_kubectl: &'static str,
    pub istioctl_hint: &'static str,
    pub snapshot: &'static str,
    pub snapshot_hint: &'static str,
    pub compare: &'static str,
    pub compare_title: &'static str,
    pub snapshot_vs_editor: &'static str,
    pub without_envoy_filters: &'static str,
    pub diff_envoy_filters: &'static str,
    pub compare_presets: &'static str,
    pub no_differences: &'static str,
    pub missing_in_baseline: &'static str,
    pub added: &'static str,
    pub removed: &'static str,
    pub changed: &'static str,
    pub resources_differ: &'static str,
    /// With `{n}`.
    pub proxies_changed_n: &'static str,
    pub summary_too_large: &'static str,
    pub link_error: &'static str,
    pub dismiss: &'static str,
}

pub static EN: Strings = Strings {
    tagline: "Istio YAML in, the Envoy config istiod would push out",
    language: "Language",
    sources: "Sources",
    istio_config: "Istio config",
    cluster: "Cluster",
    istio_editor_label: "Istio config YAML",
    plain_text_note: "Plain text: no syntax colours or folding above 256 KB, so typing stays fast.",
    cluster_editor_label: "Cluster YAML (Kubernetes objects)",
    preset: "Preset",
    preset_placeholder: "Load a preset…",
    istio_task: "Istio task",
    reset_cluster: "Reset to Bookinfo",
    proxy: "Proxy",
    no_proxies: "no proxies",
    gateway: "gateway",
    output: "Envoy configuration",
    listeners: "Listeners",
    routes: "Routes",
    clusters: "Clusters",
    endpoints: "Endpoints",
    full_dump: "Full dump",
    derived_config: "Derived Istio config",
    suppress: "Suppress",
    suppressed: "Suppressed (istioctl analyze -S):",
    unsuppress: "Show this finding again",
    format: "Format",
    copy: "Copy",
    copied: "Copied",
    close: "Close",
    empty_table: "Nothing of this kind for this proxy.",
    row_hint: "Select a row to see its Envoy JSON or YAML and the Istio lines that made it.",
    filter_label: "Filter rows",
    filter_placeholder: "Filter: host, port, subset, direction…",
    rows_of: "{shown} of {total} rows",
    rows_first: "(the first {drawn} drawn: filter to find the others)",
    problems: "Problems",
    no_problems: "No problems.",
    findings_first: "The first {drawn} of {total} shown.",
    checking: "checking…",
    fix_use: "Use",
    open_code_page: "What this code means, on istio.io",
    stale: "The input has errors: this is the last good output (stale).",
    error: "error",
    warning: "warning",
    info: "info",
    generated_nothing: "generates nothing for this proxy",
    made_by: "Made by",
    resize: "Resize panes",
    computing: "Translating…",
    share: "Share",
    share_title: "Share this playground",
    link_copied: "Link copied",
    link_not_copied: "The browser did not allow copying: copy the link below",
    characters: "characters",
    long_link: "Long link: some chat apps and mail clients cut links this long. It still opens in a browser.",
    link_label: "Link to this state",
    embed: "Embed",
    embed_title: "Embed in a page",
    embed_view: "View",
    view_config: "Envoy config",
    view_animation: "Animation",
    read_only: "Read-only",
    embed_open_at: "Open at",
    embed_scroll_to_line: "Scroll the Istio editor to line {line}",
    iframe_snippet: "HTML (iframe)",
    markdown_link: "Markdown link",
    open_in_pilot_light: "Open in Pilot Light",
    to_cluster: "Take it to a cluster",
    download_dump: "Download config_dump JSON",
    copy_kubectl: "Copy as kubectl apply",
    istioctl_hint: "The same from a real cluster:",
    snapshot: "Snapshot",
    snapshot_hint: "Save the current Envoy config, then edit and compare",
    compare: "Compare",
    compare_title: "Envoy config diff",
    snapshot_vs_editor: "snapshot → editor",
    without_envoy_filters: "without EnvoyFilters → with them",
    diff_envoy_filters: "What EnvoyFilters change",
    compare_presets: "Compare presets",
    no_differences: "No differences for this proxy.",
    missing_in_baseline: "This proxy does not exist in the baseline: everything is new.",
    added: "added",
    removed: "removed",
    changed: "changed",
    resources_differ: "resources differ",
    proxies_changed_n: "Proxies whose config changed: {n}",
    summary_too_large: "The mesh is too large for a summary of every proxy; below is the selected proxy's diff.",
    link_error: "This link could not be opened",
    dismiss: "Dismiss",
};

pub static ZH: Strings = Strings {
    tagline: "输入 Istio YAML，查看 istiod 将下发的 Envoy 配置",
    language: "语言",
    sources: "输入",
    istio_config: "Istio 配置",
    cluster: "集群",
    istio_editor_label: "Istio 配置 YAML",
    plain_text_note: "纯文本：超过 256 KB 时不显示语法颜色和折叠，以保持输入流畅。",
    cluster_editor_label: "集群 YAML（Kubernetes 对象）",
    preset: "预设",
    preset_placeholder: "加载预设…",
    istio_task: "Istio 任务",
    reset_cluster: "重置为 Bookinfo",
    proxy: "代理",
    no_proxies: "没有代理",
    gateway: "网关",
    output: "Envoy 配置",
    listeners: "监听器",
    routes: "路由",
    clusters: "集群",
    endpoints: "端点",
    full_dump: "完整导出",
    derived_config: "派生的 Istio 配置",
    suppress: "忽略",
    suppressed: "已忽略（istioctl analyze -S）：",
    unsuppress: "重新显示这个问题",
    format: "格式",
    copy: "复制",
    copied: "已复制",
    close: "关闭",
    empty_table: "该代理没有此类配置。",
    row_hint: "选择一行，查看其 Envoy JSON 或 YAML，以及生成它的 Istio 配置行。",
    filter_label: "筛选行",
    filter_placeholder: "筛选：主机、端口、子集、方向…",
    rows_of: "{shown} / {total} 行",
    rows_first: "（只绘制前 {drawn} 行：用过滤找到其余的行）",
    problems: "问题",
    no_problems: "没有问题。",
    findings_first: "显示 {total} 个中的前 {drawn} 个。",
    checking: "检查中…",
    fix_use: "改为",
    open_code_page: "在 istio.io 上查看此代码的说明",
    stale: "输入有错误：显示的是上一次成功的输出（已过期）。",
    error: "错误",
    warning: "警告",
    info: "提示",
    generated_nothing: "未为该代理生成任何配置",
    made_by: "来源",
    resize: "调整面板大小",
    computing: "正在转换…",
    share: "分享",
    share_title: "分享此 Playground",
    link_copied: "链接已复制",
    link_not_copied: "请手动复制下面的链接（浏览器未允许复制）",
    characters: "个字符",
    long_link: "链接较长：部分聊天软件和邮件客户端会截断这么长的链接，但在浏览器中仍可打开。",
    link_label: "指向当前状态的链接",
    embed: "嵌入",
    embed_title: "嵌入到网页",
    embed_view: "视图",
    view_config: "Envoy 配置",
    view_animation: "动画",
    read_only: "只读",
    embed_open_at: "打开于",
    embed_scroll_to_line: "将 Istio 编辑器滚动到第 {line} 行",
    iframe_snippet: "HTML（iframe）",
    markdown_link: "Markdown 链接",
    open_in_pilot_light: "在 Pilot Light 中打开",
    to_cluster: "用到真实集群",
    download_dump: "下载 config_dump JSON",
    copy_kubectl: "复制为 kubectl apply",
    istioctl_hint: "在真实集群中查看相同内容：",
    snapshot: "快照",
    snapshot_hint: "保存当前 Envoy 配置，编辑后进行对比",
    compare: "对比",
    compare_title: "Envoy 配置差异",
    snapshot_vs_editor: "快照 → 编辑器",
    without_envoy_filters: "不含 EnvoyFilter → 含 EnvoyFilter",
    diff_envoy_filters: "EnvoyFilter 改变了什么",
    compare_presets: "对比预设",
    no_differences: "该代理没有差异。",
    missing_in_baseline: "基准中没有该代理：所有配置都是新增的。",
    added: "新增",
    removed: "删除",
    changed: "修改",
    resources_differ: "个资源有差异",
    proxies_changed_n: "{n} 个代理有变化：",
    summary_too_large: "网格太大，未计算所有代理的汇总；下面是所选代理的差异。",
    link_error: "无法打开此链接",
    dismiss: "关闭",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN-us"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::Zh.strings().routes, "路由");
    }
}
