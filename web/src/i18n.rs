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

pub struct Strings {
    pub tagline: &'static str,
    pub language: &'static str,
    pub sources: &'static str,
    pub istio_config: &'static str,
    pub cluster: &'static str,
    pub istio_editor_label: &'static str,
    pub cluster_editor_label: &'static str,
    pub preset: &'static str,
    pub preset_placeholder: &'static str,
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
    pub format: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub close: &'static str,
    pub empty_table: &'static str,
    pub row_hint: &'static str,
    pub problems: &'static str,
    pub no_problems: &'static str,
    pub stale: &'static str,
    pub error: &'static str,
    pub warning: &'static str,
    pub info: &'static str,
    pub generated_nothing: &'static str,
    pub made_by: &'static str,
    pub resize: &'static str,
    pub computing: &'static str,
}

pub static EN: Strings = Strings {
    tagline: "Istio YAML in, the Envoy config istiod would push out",
    language: "Language",
    sources: "Sources",
    istio_config: "Istio config",
    cluster: "Cluster",
    istio_editor_label: "Istio config YAML",
    cluster_editor_label: "Cluster YAML (Kubernetes objects)",
    preset: "Preset",
    preset_placeholder: "Load a preset…",
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
    format: "Format",
    copy: "Copy",
    copied: "Copied",
    close: "Close",
    empty_table: "Nothing of this kind for this proxy.",
    row_hint: "Select a row to see its Envoy JSON or YAML and the Istio lines that made it.",
    problems: "Problems",
    no_problems: "No problems.",
    stale: "The input has errors: this is the last good output (stale).",
    error: "error",
    warning: "warning",
    info: "info",
    generated_nothing: "generates nothing for this proxy",
    made_by: "Made by",
    resize: "Resize panes",
    computing: "Translating…",
};

pub static ZH: Strings = Strings {
    tagline: "输入 Istio YAML，查看 istiod 将下发的 Envoy 配置",
    language: "语言",
    sources: "输入",
    istio_config: "Istio 配置",
    cluster: "集群",
    istio_editor_label: "Istio 配置 YAML",
    cluster_editor_label: "集群 YAML（Kubernetes 对象）",
    preset: "预设",
    preset_placeholder: "加载预设…",
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
    format: "格式",
    copy: "复制",
    copied: "已复制",
    close: "关闭",
    empty_table: "该代理没有此类配置。",
    row_hint: "选择一行，查看其 Envoy JSON 或 YAML，以及生成它的 Istio 配置行。",
    problems: "问题",
    no_problems: "没有问题。",
    stale: "输入有错误：显示的是上一次成功的输出（已过期）。",
    error: "错误",
    warning: "警告",
    info: "提示",
    generated_nothing: "未为该代理生成任何配置",
    made_by: "来源",
    resize: "调整面板大小",
    computing: "正在转换…",
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
