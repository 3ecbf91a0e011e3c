//! What the page says about the core's presets: their titles and groups in the UI language, and the
//! istio.io task each one comes from (the preset menu links to it). The presets themselves (ids,
//! English titles, YAML) are the core's (`pilotlight_core::world::PRESETS`).

use crate::i18n::Lang;
use pilotlight_core::world::Preset;

const TASKS: &str = "https://istio.io/latest/docs/tasks/";

/// istio.io's page for the task a preset follows (a group's task, or a preset's own section).
pub fn task_url(p: &Preset) -> String {
    let path = match p.id {
        "authz-explicit-deny" => "security/authorization/authz-deny/",
        "authz-dry-run" => "security/authorization/authz-dry-run/",
        "authz-tcp" => "security/authorization/authz-tcp/",
        "authn-jwt-ingress" => "security/authentication/authn-policy/#end-user-authentication",
        "gateway-api-traffic-shifting" => "traffic-management/traffic-shifting/",
        _ => match p.group {
            "Request routing" | "Gateway API" => "traffic-management/request-routing/",
            "Traffic shifting" => "traffic-management/traffic-shifting/",
            "Fault injection" => "traffic-management/fault-injection/",
            "Request timeouts" => "traffic-management/request-timeouts/",
            "Circuit breaking" => "traffic-management/circuit-breaking/",
            "Mirroring" => "traffic-management/mirroring/",
            "Ingress" => "traffic-management/ingress/ingress-control/",
            "Egress" => "traffic-management/egress/egress-control/",
            "TCP traffic shifting" => "traffic-management/tcp-traffic-shifting/",
            "Authorization" => "security/authorization/authz-http/",
            "Authentication" => "security/authentication/authn-policy/",
            // EnvoyFilter has no task: its reference page.
            "EnvoyFilter" => {
                return "https://istio.io/latest/docs/reference/config/networking/envoy-filter/"
                    .to_string()
            }
            _ => "",
        },
    };
    format!("{TASKS}{path}")
}

/// A preset's title in the UI language (English is the core's own title).
pub fn title(lang: Lang, p: &Preset) -> &'static str {
    if lang == Lang::En {
        return p.title;
    }
    match p.id {
        "request-routing-v1" => "reviews 的所有流量路由到 v1",
        "request-routing-jason" => "end-user: jason 路由到 reviews v2，其他用户到 v1",
        "traffic-shifting-50-50" => "reviews 50% 到 v1，50% 到 v3",
        "traffic-shifting-80-20" => "reviews 80% 到 v1，20% 到 v2",
        "traffic-shifting-v3" => "reviews 100% 到 v3",
        "fault-injection-delay" => "为 jason 在 ratings 上注入 7 秒延迟",
        "fault-injection-abort" => "为 jason 让 ratings 返回 HTTP 500",
        "request-timeouts" => "reviews 超时 0.5 秒，ratings 延迟 2 秒",
        "circuit-breaking" => "httpbin：1 个连接，1 个挂起请求",
        "mirroring" => "httpbin v1，镜像到 v2",
        "ingress-gateway" => "通过入口网关访问 httpbin.example.com",
        "egress-serviceentry" => "REGISTRY_ONLY，并为 httpbin.org 添加 ServiceEntry",
        "tcp-traffic-shifting" => "tcp-echo 端口 31400：80% 到 v1，20% 到 v2",
        "gateway-api-request-routing" => "Gateway API：bookinfo-gateway，reviews 到 reviews-v1",
        "gateway-api-traffic-shifting" => {
            "Gateway API：reviews 50% 到 reviews-v1，50% 到 reviews-v3"
        }
        "authz-allow-nothing" => "allow-nothing：拒绝所有请求",
        "authz-productpage-viewer" => "productpage-viewer：允许 GET 访问 productpage",
        "authz-details-viewer" => "details-viewer：productpage 可以调用 details",
        "authz-reviews-viewer" => "reviews-viewer：productpage 可以调用 reviews",
        "authz-ratings-viewer" => "ratings-viewer：reviews 可以调用 ratings",
        "authz-explicit-deny" => "显式拒绝：带 x-token: guest 的 GET 请求访问 productpage",
        "authz-dry-run" => "试运行：对 /productpage 的 DENY 只报告不执行",
        "authn-jwt-ingress" => "入口网关上的 JWT：必须携带令牌",
        "authz-tcp" => "TCP：tcp-echo，仅含 HTTP 字段的 ALLOW 规则会关闭连接",
        "envoyfilter-lua-outbound" => "productpage 出站 9080：在 router 之前插入 Lua 过滤器",
        "envoyfilter-hcm-idle-timeout" => "reviews 入站：合并 HCM 空闲超时 30 秒",
        "envoyfilter-vhost-header" => "productpage 到 reviews：在虚拟主机上添加请求头",
        "envoyfilter-cluster-settings" => "ratings 集群：合并连接超时和熔断器",
        "envoyfilter-no-match" => "一个不匹配任何配置的补丁，以及原因",
        _ => p.title,
    }
}

/// A preset group's name in the UI language.
pub fn group(lang: Lang, group: &'static str) -> &'static str {
    if lang == Lang::En {
        return group;
    }
    match group {
        "Request routing" => "请求路由",
        "Traffic shifting" => "流量转移",
        "Fault injection" => "故障注入",
        "Request timeouts" => "请求超时",
        "Circuit breaking" => "熔断",
        "Mirroring" => "流量镜像",
        "Ingress" => "入口",
        "Egress" => "出口",
        "TCP traffic shifting" => "TCP 流量转移",
        "Authorization" => "授权",
        "Authentication" => "认证",
        _ => group,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotlight_core::world::PRESETS;

    #[test]
    fn every_preset_links_to_an_istio_page_and_has_a_chinese_title() {
        for p in PRESETS {
            let url = task_url(p);
            assert!(
                url.starts_with("https://istio.io/latest/docs/") && !url.ends_with("/tasks/"),
                "{}: {url}",
                p.id
            );
            assert_ne!(title(Lang::Zh, p), p.title, "{} has no Chinese title", p.id);
            // Groups named after an API keep their name.
            if !matches!(p.group, "Gateway API" | "EnvoyFilter") {
                assert_ne!(group(Lang::Zh, p.group), p.group, "{} group", p.id);
            }
        }
    }
}
