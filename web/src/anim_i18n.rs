//! The mesh view's UI text in English and Simplified Chinese (kept beside `i18n.rs` so the two
//! tables stay small; both fill the same struct, so a missing translation does not compile).

use crate::i18n::Lang;
use pilotlight_core::simulate::{Mode, Stage};

pub struct AnimStrings {
    pub mesh: &'static str,
    pub topology_label: &'static str,
    pub request: &'static str,
    pub from: &'static str,
    pub from_gateway: &'static str,
    pub method: &'static str,
    pub host: &'static str,
    pub host_placeholder: &'static str,
    pub port: &'static str,
    pub path: &'static str,
    pub headers: &'static str,
    pub headers_placeholder: &'static str,
    pub jwt: &'static str,
    pub jwt_placeholder: &'static str,
    pub jason: &'static str,
    pub send: &'static str,
    pub send_100: &'static str,
    pub speed: &'static str,
    pub step_mode: &'static str,
    pub next_step: &'static str,
    pub replay: &'static str,
    pub skip: &'static str,
    pub hops: &'static str,
    pub no_trace: &'static str,
    pub no_mesh: &'static str,
    /// With `{proxies}` and `{services}` in it.
    pub too_large: &'static str,
    /// A large mesh is drawn as a focus: `{shown}` of `{total}` services, around `{centre}`.
    pub focus_note: &'static str,
    pub find_service: &'static str,
    pub namespaces: &'static str,
    /// `{n} services` (a collapsed namespace's box, a toggle's title).
    pub ns_services: &'static str,
    pub find_placeholder: &'static str,
    pub delivered: &'static str,
    pub answered: &'static str,
    /// Before the finding that explains a stopped request: `because of IST0101 istio.yaml:118`.
    pub because: &'static str,
    /// The lock badge on a workload whose proxy enforces security policies.
    pub guarded: &'static str,
    pub reset: &'static str,
    pub mirror_copy: &'static str,
    pub delay: &'static str,
    pub timeout: &'static str,
    pub timed_out: &'static str,
    pub retries: &'static str,
    pub show_in_config: &'static str,
    pub yaml_behind: &'static str,
    pub decisions: &'static str,
    pub runs: &'static str,
    pub shares_hint: &'static str,
    pub walkthrough: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub close: &'static str,
    pub walk_titles: [&'static str; 3],
    pub walk_texts: [&'static str; 3],
    pub walk_send_first: &'static str,
    pub walk_last_edit: &'static str,
    pub walk_since_snapshot: &'static str,
    pub walk_unchanged: &'static str,
    pub filter_chain: &'static str,
    pub stage_names: [&'static str; 7],
    pub legend_no_pods: &'static str,
    /// On the mesh bar while the input has errors.
    pub mesh_stale: &'static str,
    /// On the mesh bar while a large input's picture of the last edit is being built.
    pub mesh_updating: &'static str,
    /// Envoy's stages, in `Stage`'s order (request, listener, ..., endpoint).
    pub stages: [&'static str; 14],
    pub zoom: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub fit: &'static str,
}

impl AnimStrings {
    pub fn stage(&self, s: Stage) -> &'static str {
        let i = match s {
            Stage::Request => 0,
            Stage::Listener => 1,
            Stage::ListenerFilter => 2,
            Stage::FilterChain => 3,
            Stage::Tls => 4,
            Stage::NetworkFilter => 5,
            Stage::RouteConfig => 6,
            Stage::VirtualHost => 7,
            Stage::Route => 8,
            Stage::Action => 9,
            Stage::Fault => 10,
            Stage::Authz => 11,
            Stage::Cluster => 12,
            Stage::Endpoint => 13,
        };
        self.stages[i]
    }

    pub fn focus_note(&self, shown: usize, total: usize, centre: &str) -> String {
        self.focus_note
            .replace("{shown}", &shown.to_string())
            .replace("{total}", &total.to_string())
            .replace("{centre}", centre)
    }

    pub fn services(&self, n: usize) -> String {
        self.ns_services.replace("{n}", &n.to_string())
    }

    pub fn mesh_too_large(&self, proxies: usize, services: usize) -> String {
        self.too_large
            .replace("{proxies}", &proxies.to_string())
            .replace("{services}", &services.to_string())
    }
}

impl Lang {
    pub fn anim(self) -> &'static AnimStrings {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

pub static EN: AnimStrings = AnimStrings {
    mesh: "Mesh",
    topology_label: "The mesh: gateways, services with their workloads, and the calls between them",
    request: "Request",
    from: "From",
    from_gateway: "ingress gateway",
    method: "Method",
    host: "Host",
    host_placeholder: "any (e.g. bookinfo.example.com)",
    port: "Port",
    path: "Path",
    headers: "Headers",
    headers_placeholder: "name: value, one per line",
    jwt: "JWT claims",
    jwt_placeholder: "{\"iss\": \"testing@secure.istio.io\", \"sub\": \"testing@secure.istio.io\"}",
    jason: "end-user: jason",
    send: "Send",
    send_100: "Send 100",
    speed: "Speed",
    step_mode: "Step by step",
    next_step: "Next step",
    replay: "Replay",
    skip: "Skip to end",
    hops: "Hops",
    no_trace: "Send a request to see its path through the proxies.",
    no_mesh: "The mesh appears when the input loads without errors.",
    too_large: "The mesh view is not drawn for {proxies} proxies and {services} services: drawing it translates every proxy. The config view works at any size.",
    focus_note: "{shown} of {total} services: around {centre}, the gateways and the last request's path. Find a service to centre on it.",
    find_service: "Find a service",
    namespaces: "Namespaces",
    ns_services: "{n} services",
    find_placeholder: "service name",
    delivered: "delivered",
    answered: "answered by the proxy",
    because: "because of",
    guarded: "Its proxy enforces security policies (RBAC, JWT or ext_authz filters)",
    reset: "connection reset",
    mirror_copy: "mirrored copy (response ignored)",
    delay: "delay",
    timeout: "timeout",
    timed_out: "timed out",
    retries: "retry policy: up to",
    show_in_config: "Show in config",
    yaml_behind: "YAML",
    decisions: "Envoy's decisions",
    runs: "requests",
    shares_hint: "Share of each caller's requests to a service that went to each workload.",
    walkthrough: "Walkthrough",
    prev: "Back",
    next: "Next",
    close: "Close",
    walk_titles: [
        "1. Interception into the sidecar",
        "2. The config istiod pushes",
        "3. Inside the proxy",
    ],
    walk_texts: [
        "iptables in each pod redirects the application's outgoing connections to the sidecar's port 15001 (listener virtualOutbound) and incoming ones to port 15006 (virtualInbound). The application does not know.",
        "istiod watches the Istio objects, turns them into Envoy resources and pushes them to every proxy over xDS: listeners (LDS), routes (RDS), clusters (CDS), endpoints (EDS). Edit a VirtualService and see which route configurations the next push changes.",
        "In the proxy: the listener matches the destination, its filter chain runs the HTTP connection manager, which picks a route configuration, a virtual host by Host, a route by path and headers, a cluster, and an endpoint.",
    ],
    walk_send_first: "Send a request to follow one hop.",
    walk_last_edit: "your last edit changed",
    walk_since_snapshot: "changed since the snapshot",
    walk_unchanged: "unchanged by your last edit",
    filter_chain: "filter chain",
    stage_names: [
        "listener",
        "HTTP connection manager",
        "route config",
        "virtual host",
        "route",
        "cluster",
        "endpoint",
    ],
    legend_no_pods: "no pods",
    mesh_stale: "Stale: the input has errors, so the mesh and Send use the last good config",
    mesh_updating: "Updating…",
    stages: [
        "request",
        "listener",
        "listener filter",
        "filter chain",
        "tls",
        "network filter",
        "route config",
        "virtual host",
        "route",
        "action",
        "fault",
        "authorization",
        "cluster",
        "endpoint",
    ],
    zoom: "Zoom",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    fit: "Fit",
};

pub static ZH: AnimStrings = AnimStrings {
    mesh: "网格",
    topology_label: "网格：网关、各服务及其工作负载，以及它们之间的调用",
    request: "请求",
    from: "起点",
    from_gateway: "入口网关",
    method: "方法",
    host: "主机",
    host_placeholder: "任意（如 bookinfo.example.com）",
    port: "端口",
    path: "路径",
    headers: "请求头",
    headers_placeholder: "名称: 值，每行一个",
    jwt: "JWT 声明",
    jwt_placeholder: "{\"iss\": \"testing@secure.istio.io\", \"sub\": \"testing@secure.istio.io\"}",
    jason: "end-user: jason",
    send: "发送",
    send_100: "发送 100 次",
    speed: "速度",
    step_mode: "逐步",
    next_step: "下一步",
    replay: "重放",
    skip: "跳到结尾",
    hops: "跳",
    no_trace: "发送一个请求，查看它经过各代理的路径。",
    no_mesh: "输入加载无错误后显示网格。",
    too_large: "网格视图不绘制 {proxies} 个代理、{services} 个服务的网格：绘制需要转换每个代理。配置视图不受规模限制。",
    focus_note: "显示 {total} 个服务中的 {shown} 个：{centre} 及其上下游、网关和上一个请求的路径。查找服务可以以它为中心。",
    find_service: "查找服务",
    namespaces: "命名空间",
    ns_services: "{n} 个服务",
    find_placeholder: "服务名",
    delivered: "已送达",
    answered: "由代理直接响应",
    because: "原因：",
    guarded: "其代理执行安全策略（RBAC、JWT 或 ext_authz 过滤器）",
    reset: "连接被重置",
    mirror_copy: "镜像副本（忽略响应）",
    delay: "延迟",
    timeout: "超时",
    timed_out: "已超时",
    retries: "重试策略：最多",
    show_in_config: "在配置中查看",
    yaml_behind: "YAML",
    decisions: "Envoy 的决策",
    runs: "个请求",
    shares_hint: "每个调用方发往某服务的请求中，到达各工作负载的比例。",
    walkthrough: "导览",
    prev: "上一步",
    next: "下一步",
    close: "关闭",
    walk_titles: [
        "1. 流量被拦截进 Sidecar",
        "2. istiod 下发的配置",
        "3. 代理内部的处理",
    ],
    walk_texts: [
        "每个 Pod 中的 iptables 把应用发出的连接重定向到 Sidecar 的 15001 端口（监听器 virtualOutbound），把进入的连接重定向到 15006 端口（virtualInbound）。应用对此无感知。",
        "istiod 监视 Istio 对象，把它们转换为 Envoy 资源，并通过 xDS 推送给每个代理：监听器（LDS）、路由（RDS）、集群（CDS）、端点（EDS）。修改一个 VirtualService，看看下一次推送改变了哪些路由配置。",
        "在代理内部：监听器匹配目标地址，过滤器链运行 HTTP 连接管理器，它依次选择路由配置、按 Host 选择虚拟主机、按路径和请求头选择路由、选择集群，再选择端点。",
    ],
    walk_send_first: "先发送一个请求，再跟随其中一跳。",
    walk_last_edit: "上次编辑改变了",
    walk_since_snapshot: "自快照以来改变了",
    walk_unchanged: "上次编辑未改变",
    filter_chain: "过滤器链",
    stage_names: [
        "监听器",
        "HTTP 连接管理器",
        "路由配置",
        "虚拟主机",
        "路由",
        "集群",
        "端点",
    ],
    legend_no_pods: "没有 Pod",
    mesh_stale: "已过期：输入有错误，网格视图和发送使用上一次成功的配置",
    mesh_updating: "正在更新…",
    stages: [
        "请求",
        "监听器",
        "监听器过滤器",
        "过滤器链",
        "TLS",
        "网络过滤器",
        "路由配置",
        "虚拟主机",
        "路由",
        "动作",
        "故障",
        "授权",
        "集群",
        "端点",
    ],
    zoom: "缩放",
    zoom_in: "放大",
    zoom_out: "缩小",
    fit: "适应",
};

/// A hop's direction, as istioctl's DIRECTION column writes it (kept in English in both languages).
pub fn direction_label(m: Mode) -> &'static str {
    match m {
        Mode::Gateway => "gateway",
        Mode::Outbound => "outbound",
        Mode::Inbound => "inbound",
    }
}
