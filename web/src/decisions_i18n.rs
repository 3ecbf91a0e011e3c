//! The simulator's decision sentences in Simplified Chinese. The core writes each decision in
//! English from a small vocabulary of fixed phrases around names and values (`route #2 (prefix
//! "/") is the first to match and header end-user exact "jason"`); the page swaps those phrases for
//! Chinese ones and leaves every name, quoted value and Envoy term (prefix, exact, RBAC, ALPN) as
//! Envoy writes it. Longer phrases come first so a short one never cuts a longer one.

use crate::i18n::Lang;

const ZH: &[(&str, &str)] = &[
    ("this proxy has no listeners at all (a gateway gets them only from Gateway resources that select it)",
        "该代理没有任何监听器（网关只从选中它的 Gateway 资源获得监听器）"),
    ("iptables sends it to virtualOutbound (15001); use_original_dst hands the connection",
        "iptables 把连接送到 virtualOutbound（15001）；use_original_dst 将连接交给"),
    ("inbound traffic is redirected by iptables to port 15006, the virtualInbound listener",
        "入站流量由 iptables 重定向到 15006 端口，即 virtualInbound 监听器"),
    ("inbound traffic goes to virtualInbound (15006), but this proxy has no such listener",
        "入站流量应进入 virtualInbound（15006），但该代理没有此监听器"),
    ("the chain requires Istio mutual TLS (client certificate) but the client sent plain TLS",
        "该过滤器链要求 Istio 双向 TLS（客户端证书），但客户端发送的是普通 TLS"),
    ("no TLS inspector on this port: transport protocol is raw_buffer and SNI/ALPN are not read",
        "该端口没有 TLS 检查器：传输协议为 raw_buffer，不读取 SNI/ALPN"),
    ("TLS inspector: no TLS ClientHello, transport protocol raw_buffer",
        "TLS 检查器：没有 TLS ClientHello，传输协议为 raw_buffer"),
    ("the chain terminates TLS but the client sent plaintext", "该过滤器链终止 TLS，但客户端发送的是明文"),
    ("the chain terminates Istio mTLS", "该过滤器链终止 Istio mTLS"),
    ("no chain matches and there is no default filter chain", "没有过滤器链匹配，也没有默认过滤器链"),
    ("no chain matches, using the default filter chain", "没有过滤器链匹配，使用默认过滤器链"),
    ("Envoy would reject this listener", "Envoy 会拒绝此监听器"),
    ("several chains match equally", "多个过滤器链同等匹配"),
    ("none sets a match criterion", "都没有设置匹配条件"),
    ("chain(s)", "个过滤器链"),
    ("the connection stays on virtualOutbound", "连接留在 virtualOutbound 上"),
    ("and no virtualOutbound listener", "且没有 virtualOutbound 监听器"),
    ("to the listener bound to exactly", "给精确绑定于此地址的监听器"),
    ("to the wildcard listener", "给通配监听器"),
    ("the connection goes", "连接被交给"),
    ("no listener on", "没有监听器位于"),
    ("original destination of the connection", "连接的原始目标地址"),
    ("a non-HTTP byte stream reaches the HTTP connection manager", "非 HTTP 字节流到达 HTTP 连接管理器"),
    ("TLS bytes reach the HTTP connection manager undecrypted", "未解密的 TLS 字节到达 HTTP 连接管理器"),
    ("no HTTP connection manager or TCP proxy ends the chain", "过滤器链末尾没有 HTTP 连接管理器或 TCP 代理"),
    ("TCP proxy with weighted clusters, this connection drew", "带权重集群的 TCP 代理，此连接抽中"),
    ("TCP proxy without a cluster", "没有集群的 TCP 代理"),
    ("TCP proxy to cluster", "TCP 代理到集群"),
    ("RBAC closes the connection", "RBAC 关闭连接"),
    ("network filters", "网络过滤器"),
    ("HTTP connection manager", "HTTP 连接管理器"),
    ("HTTP inspector: plaintext", "HTTP 检查器：检测到明文"),
    ("detected, ALPN set to", "，ALPN 设为"),
    ("transport protocol", "传输协议"),
    ("application protocol", "应用协议"),
    ("the connection manager carries its route configuration inline", "连接管理器内联携带路由配置"),
    ("RDS route configuration", "RDS 路由配置"),
    ("no exact or suffix domain for", "没有精确或后缀域名匹配"),
    ("longest prefix wildcard", "最长前缀通配域名"),
    ("longest suffix wildcard", "最长后缀通配域名"),
    ("no exact domain for", "没有精确域名匹配"),
    ("equals a domain of", "等于此虚拟主机的域名："),
    ("no domain names", "没有域名匹配"),
    ("the catch-all", "通配域名"),
    ("takes it", "接收该请求"),
    ("no virtual host of", "没有虚拟主机（来自"),
    ("has a domain matching", "）的域名匹配"),
    ("is the first to match", "是第一个匹配的路由"),
    ("; skipped:", "；已跳过："),
    (" and header ", " 且请求头 "),
    ("virtual host requires TLS: plaintext gets 301 to", "虚拟主机要求 TLS：明文请求得到 301，重定向到"),
    ("has no routes", "没有路由"),
    ("the route forwards to cluster", "路由转发到集群"),
    ("the route answers directly with status", "路由直接以此状态码应答："),
    ("the route redirects with", "路由重定向，状态码"),
    ("the route picks its cluster by", "路由按此方式选择集群："),
    ("which the simulator does not follow", "模拟器不跟随此方式"),
    ("the route has no action", "路由没有动作"),
    ("weighted clusters", "带权重的集群"),
    ("this request drew", "此请求抽中"),
    ("(responses ignored)", "（忽略响应）"),
    ("of requests", "的请求"),
    ("fault delay", "故障延迟"),
    ("fault abort", "故障中止"),
    ("no healthy upstream: Envoy answers 503 (UH)", "没有健康的上游：Envoy 返回 503（UH）"),
    ("the endpoint is outside the mesh", "端点在网格之外"),
    ("does not exist on this proxy", "在该代理上不存在"),
    ("the upstream is the connection's original destination", "上游是连接的原始目标地址"),
    ("the upstream is the Host, resolved by DNS", "上游是 Host，由 DNS 解析"),
    ("dynamic forward proxy cluster", "动态转发代理集群"),
    ("healthy endpoint(s) in", "个健康端点，来自"),
    ("endpoint(s) at priority", "个端点，优先级"),
    ("DNS lookup of", "DNS 查询"),
    ("CORS preflight: jwt_authn is bypassed", "CORS 预检请求：跳过 jwt_authn"),
    ("no jwt_authn rule matches the path", "没有 jwt_authn 规则匹配该路径"),
    ("no JWT: allowed without one (allow_missing)", "没有 JWT：允许无令牌请求（allow_missing）"),
    ("the JWT of issuer", "签发者为"),
    ("verifies with provider", "的 JWT 通过此提供方验证："),
    ("no CUSTOM policy matches: ext_authz is skipped", "没有 CUSTOM 策略匹配：跳过 ext_authz"),
    ("ext_authz decides", "由 ext_authz 决定"),
    ("its answer decides, taken as allow here", "由它的应答决定，此处按允许处理"),
    ("not enabled for this request", "未对该请求启用"),
    ("sent to provider", "发送给提供方"),
    ("; not enforced", "；不执行"),
    ("dry run", "试运行"),
    ("matches: denied", "匹配：拒绝"),
    ("matches: logged", "匹配：记录"),
    ("matches: allowed", "匹配：允许"),
    ("denied:", "拒绝："),
    ("policy", "策略"),
    (", plaintext", "，明文"),
    (", Istio mTLS", "，Istio mTLS 加密"),
    ("route #", "路由 #"),
    ("host ", "主机 "),
    ("chain ", "过滤器链 "),
    (" matches", " 匹配"),
    (" among ", " 在以下范围中选择："),
    (" for ", " 作用于 "),
];

/// A decision sentence in the UI language.
pub fn decision(lang: Lang, reason: &str) -> String {
    if lang == Lang::En {
        return reason.to_string();
    }
    // Quoted values stay as they are: only the text between quotes is translated.
    let mut out = String::with_capacity(reason.len() * 2);
    for (i, part) in reason.split('"').enumerate() {
        if i > 0 {
            out.push('"');
        }
        if i % 2 == 1 {
            out.push_str(part);
        } else {
            out.push_str(&phrases(part));
        }
    }
    out
}

fn phrases(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for (en, zh) in ZH {
            if let Some(after) = rest.strip_prefix(en) {
                out.push_str(zh);
                rest = after;
                continue 'scan;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotlight_core::simulate::{trace, Request};
    use pilotlight_core::{load, world, SourceFile};

    #[test]
    fn names_and_quoted_values_are_kept() {
        let en = r#"route #2 (prefix "/") is the first to match and header end-user exact "jason""#;
        let zh = decision(Lang::Zh, en);
        assert_eq!(
            zh,
            r#"路由 #2 (prefix "/") 是第一个匹配的路由 且请求头 end-user exact "jason""#
        );
        assert_eq!(decision(Lang::En, en), en);
        let cluster =
            "the route forwards to cluster outbound|9080|v1|reviews.default.svc.cluster.local";
        assert!(decision(Lang::Zh, cluster)
            .ends_with("outbound|9080|v1|reviews.default.svc.cluster.local"));
    }

    /// Every decision of a traced request through Bookinfo reads as Chinese.
    #[test]
    fn every_bookinfo_decision_is_translated() {
        let mut untranslated: Vec<String> = Vec::new();
        for id in [
            "request-routing-jason",
            "fault-injection-abort",
            "authz-allow-nothing",
        ] {
            let loaded = load(&[
                SourceFile::new(world::BOOKINFO_FILE, world::BOOKINFO),
                SourceFile::new("istio.yaml", world::preset(id).unwrap().yaml),
            ]);
            let w = trace::World::from_mesh(&loaded.mesh);
            let mut req = Request {
                port: 80,
                path: "/productpage".into(),
                ..Request::default()
            };
            req.headers.insert("end-user".into(), "jason".into());
            let root = trace::trace(&w, None, &req, 1).expect("a trace");
            let mut hops = vec![&root];
            while let Some(h) = hops.pop() {
                untranslated.extend(
                    h.outcome
                        .steps
                        .iter()
                        .map(|s| s.reason.clone())
                        .filter(|r| {
                            !decision(Lang::Zh, r)
                                .chars()
                                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                        }),
                );
                hops.extend(h.children.iter());
            }
        }
        assert!(untranslated.is_empty(), "untranslated: {untranslated:#?}");
    }
}
