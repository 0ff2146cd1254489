// Google Analytics 4 bootstrap, loaded as a file because the site's CSP forbids inline scripts.
// Consent mode defaults to denied for every storage type; a consent banner must call
// gtag('consent', 'update', {...}) after the visitor agrees.
window.dataLayer = window.dataLayer || [];
function gtag() { window.dataLayer.push(arguments); }
gtag("consent", "default", {
  ad_storage: "denied",
  ad_user_data: "denied",
  ad_personalization: "denied",
  analytics_storage: "denied",
  wait_for_update: 500
});
gtag("js", new Date());
gtag("config", {{ measurement_id|tojson }});
