// Which app's own browser a page is open in, from its user agent: WhatsApp, Facebook,
// Instagram, Messenger, LINE and the like open links in a web view that often cannot use
// the camera or microphone, or loses the page when the app goes to the background.

const APPS = [
  ["Messenger", /FBAN\/Messenger|FB_IAB\/MESSENGER|MessengerForiOS|Orca-Android/i],
  ["Facebook", /FBAN|FBAV|FB_IAB|FBIOS|FB4A/i],
  ["Instagram", /Instagram/i],
  ["WhatsApp", /WhatsApp/i],
  ["LINE", /\bLine\//i],
  ["Snapchat", /Snapchat/i],
  ["TikTok", /musical_ly|BytedanceWebview|TikTok/i],
  ["Telegram", /Telegram/i],
  ["WeChat", /MicroMessenger/i],
  ["LinkedIn", /LinkedInApp/i],
  ["X", /Twitter for/i],
];

/** The app's name when `userAgent` is an in-app browser's, else null. */
export function inAppBrowser(userAgent) {
  for (const [name, pattern] of APPS) {
    if (pattern.test(userAgent)) return name;
  }
  return null;
}

/** An Android intent link that opens `url` (https) in Chrome, keeping its fragment. */
export function chromeIntent(url) {
  const link = new URL(url);
  return `intent://${link.host}${link.pathname}${link.search}${link.hash}#Intent;scheme=https;package=com.android.chrome;end`;
}
