import { PALETTE } from './defaults.js'

/**
 * The stylesheet at `GET /gsi/style`: the button, and the One Tap dialog in the top right corner
 * (a bottom sheet on narrow screens), light and dark. Every class starts with `fake-gsi-`.
 */
export const GSI_STYLE = `
.fake-gsi-button{display:inline-flex;align-items:center;justify-content:center;gap:10px;box-sizing:border-box;height:40px;
padding:0 12px;border:1px solid #dadce0;border-radius:4px;background:#fff;color:#3c4043;cursor:pointer;white-space:nowrap;
font:500 14px/1 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;letter-spacing:.25px}
.fake-gsi-button:hover{background:#f8faff;border-color:#d2e3fc}
.fake-gsi-theme-filled_blue{background:#1a73e8;border-color:#1a73e8;color:#fff}
.fake-gsi-theme-filled_blue:hover{background:#1b66c9;border-color:#1b66c9}
.fake-gsi-theme-filled_black{background:#202124;border-color:#202124;color:#fff}
.fake-gsi-theme-filled_black:hover{background:#3c4043;border-color:#3c4043}
.fake-gsi-size-medium{height:32px}
.fake-gsi-size-small{height:24px;padding:0 8px;font-size:12px;gap:6px}
.fake-gsi-shape-pill,.fake-gsi-shape-circle{border-radius:999px}
.fake-gsi-icon{width:40px;padding:0}
.fake-gsi-icon.fake-gsi-size-medium{width:32px}
.fake-gsi-icon.fake-gsi-size-small{width:24px}
.fake-gsi-logo{display:inline-grid;place-items:center;flex:none;width:18px;height:18px;border-radius:50%;color:#fff;
font:700 11px/1 Arial,sans-serif;background:conic-gradient(#ea4335 0 25%,#fbbc05 0 50%,#34a853 0 75%,#4285f4 0)}
.fake-gsi-dialog{position:fixed;top:16px;right:16px;z-index:2147483647;box-sizing:border-box;width:min(391px,calc(100vw - 32px));
padding:16px 0 12px;border-radius:8px;background:#fff;color:#202124;text-align:left;
box-shadow:0 1px 3px rgba(60,64,67,.3),0 4px 8px 3px rgba(60,64,67,.15);font:14px/1.43 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.fake-gsi-head{display:flex;align-items:center;gap:10px;padding:0 8px 0 16px}
.fake-gsi-title{flex:1;min-width:0;font-size:16px;font-weight:500;color:#3c4043;overflow-wrap:anywhere}
.fake-gsi-close{flex:none;width:32px;height:32px;border:0;border-radius:50%;background:none;color:#5f6368;font-size:22px;line-height:1;cursor:pointer}
.fake-gsi-close:hover{background:#f1f3f4}
.fake-gsi-badge{display:inline-block;margin:8px 16px 0;padding:2px 8px;border-radius:999px;background:#fef7e0;color:#5f4300;font-size:12px}
.fake-gsi-accounts{list-style:none;margin:8px 0 0;padding:0}
.fake-gsi-account{display:flex;align-items:center;gap:12px;box-sizing:border-box;width:100%;padding:8px 16px;border:0;background:none;
color:inherit;font:inherit;text-align:left;cursor:pointer}
.fake-gsi-account:hover{background:#f1f3f4}
.fake-gsi-account:disabled{opacity:.6;cursor:progress}
.fake-gsi-avatar{display:inline-grid;place-items:center;flex:none;width:32px;height:32px;border-radius:50%;color:#fff;font:500 14px/1 Arial,sans-serif}
${PALETTE.map((colour, i) => `.fake-gsi-avatar-${i}{background:${colour}}`).join('\n')}
.fake-gsi-who{display:flex;flex-direction:column;min-width:0}
.fake-gsi-who strong{font-weight:500}
.fake-gsi-who small{color:#5f6368;font-size:12px;overflow-wrap:anywhere}
.fake-gsi-message,.fake-gsi-error{margin:12px 16px 0}
.fake-gsi-error{color:#d93025}
.fake-gsi-error[hidden],.fake-gsi-form{display:none}
.fake-gsi-button:focus-visible,.fake-gsi-close:focus-visible,.fake-gsi-account:focus-visible{outline:2px solid #1a73e8;outline-offset:-2px}
@media (max-width:600px){.fake-gsi-dialog{top:auto;right:0;bottom:0;left:0;width:100%;border-radius:8px 8px 0 0}}
@media (prefers-color-scheme:dark){
.fake-gsi-dialog{background:#202124;color:#e8eaed}
.fake-gsi-title{color:#e8eaed}
.fake-gsi-close{color:#9aa0a6}
.fake-gsi-close:hover,.fake-gsi-account:hover{background:#3c4043}
.fake-gsi-who small{color:#9aa0a6}
.fake-gsi-badge{background:#3f3000;color:#ffdf99}
.fake-gsi-error{color:#f28b82}
}
`
