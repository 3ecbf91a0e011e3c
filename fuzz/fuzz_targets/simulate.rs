//! The simulator: any request JSON, walked through a sidecar's and the ingress gateway's
//! generated config and traced through the Bookinfo mesh (routing preset applied), must never
//! panic. The config is built once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pilotlight_core::simulate::{self, trace::World, Request};
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{envoy::ProxyConfig, load, translate, SourceFile};

struct Fixture {
    configs: Vec<ProxyConfig>,
    world: World,
}

fn build() -> Fixture {
    let files = [
        SourceFile::new(BOOKINFO_FILE, BOOKINFO),
        SourceFile::new(
            "istio.yaml",
            include_str!("../../static/presets/request-routing-jason.yaml"),
        ),
    ];
    let loaded = load(&files);
    let configs = ["productpage-v1", "istio-ingressgateway"]
        .iter()
        .filter_map(|n| loaded.mesh.find_proxy(n))
        .map(|p| translate::proxy_config(&loaded.mesh, p))
        .collect();
    Fixture {
        configs,
        world: World::from_mesh(&loaded.mesh),
    }
}

// A trace World translates lazily through an `Rc`, so it is not `Sync`: one per thread (libFuzzer
// runs the target on one), built once and kept for the process.
thread_local! {
    static FIXTURE: &'static Fixture = Box::leak(Box::new(build()));
}

fn fixture() -> &'static Fixture {
    FIXTURE.with(|f| *f)
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(req) = Request::from_json(text) else {
        return;
    };
    let f = fixture();
    for cfg in &f.configs {
        let outcome = simulate::simulate_seeded(cfg, &req, u64::from(seed));
        let _ = outcome.short();
    }
    if let Ok(hop) = simulate::trace(&f.world, None, &req, u64::from(seed)) {
        let _ = hop.short();
    }
});
