//! Load + translate + analyze: any text as a user's file, alone or next to the Bookinfo world
//! (the first byte decides), must never panic. A few proxies are translated per input so the
//! fuzzer keeps its pace.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pilotlight_core::world::{BOOKINFO, BOOKINFO_FILE};
use pilotlight_core::{analyze, load, translate, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut files = Vec::new();
    if mode & 1 == 1 {
        files.push(SourceFile::new(BOOKINFO_FILE, BOOKINFO));
    }
    files.push(SourceFile::new("input.yaml", text));
    let loaded = load(&files);
    let proxies = loaded.mesh.proxies();
    // The proxy to translate: chosen by the mode byte, so every one gets its turn.
    let skip = usize::from(mode >> 1);
    for proxy in proxies.iter().cycle().skip(skip).take(proxies.len().min(2)) {
        let config = translate::proxy_config(&loaded.mesh, proxy);
        let _ = pilotlight_core::envoy::tables::listeners(&config).render();
    }
    let _ = analyze::report(&loaded, &files);
});
