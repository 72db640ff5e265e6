/*
 * src/case/platforms.c - the built-in registry of platforms that referral
 * units refer content to, with their domains (the first one canonical).
 */
#include <string.h>

#include "vigil/url.h"

#define D(...) ((const char *const[]){__VA_ARGS__, NULL})

static const vigil_platform_def registry[] = {
    /* social networks */
    {"Facebook", "social", D("facebook.com", "fb.com", "fb.watch", "fb.me"), 0},
    {"Instagram", "social", D("instagram.com", "instagr.am"), 0},
    {"X", "social", D("x.com", "twitter.com", "t.co"), 0},
    {"VK", "social", D("vk.com", "vk.ru", "vkontakte.ru"), 1},
    {"Odnoklassniki", "social", D("ok.ru", "odnoklassniki.ru"), 1},
    {"Pinterest", "social", D("pinterest.com", "pin.it"), 0},
    {"LinkedIn", "social", D("linkedin.com", "lnkd.in"), 0},
    {"Snapchat", "social", D("snapchat.com"), 1},
    {"Gab", "social", D("gab.com"), 0},
    {"Gettr", "social", D("gettr.com"), 0},
    {"Truth Social", "social", D("truthsocial.com"), 1},
    {"Minds", "social", D("minds.com"), 0},
    {"Mastodon (mastodon.social)", "social", D("mastodon.social"), 0},
    {"Bluesky", "social", D("bsky.app", "bsky.social"), 0},
    {"Threads", "social", D("threads.net", "threads.com"), 0},
    {"Parler", "social", D("parler.com"), 1},
    {"Tumblr", "blogging", D("tumblr.com"), 0},
    /* video */
    {"YouTube", "video", D("youtube.com", "youtu.be", "youtube-nocookie.com"), 0},
    {"TikTok", "video", D("tiktok.com"), 0},
    {"Rumble", "video", D("rumble.com"), 0},
    {"Odysee", "video", D("odysee.com", "lbry.tv"), 0},
    {"BitChute", "video", D("bitchute.com"), 0},
    {"Dailymotion", "video", D("dailymotion.com", "dai.ly"), 0},
    {"Vimeo", "video", D("vimeo.com"), 0},
    {"Twitch", "video", D("twitch.tv"), 0},
    {"Kick", "video", D("kick.com"), 0},
    {"Rutube", "video", D("rutube.ru"), 1},
    {"Likee", "video", D("likee.video"), 1},
    {"Triller", "video", D("triller.co"), 0},
    /* audio */
    {"SoundCloud", "audio", D("soundcloud.com", "on.soundcloud.com"), 0},
    {"Spotify", "audio", D("spotify.com", "spotify.link"), 0},
    {"Mixcloud", "audio", D("mixcloud.com"), 0},
    {"Audiomack", "audio", D("audiomack.com"), 0},
    {"Podbean", "audio", D("podbean.com"), 0},
    {"Castbox", "audio", D("castbox.fm"), 0},
    /* messengers with public channels or groups */
    {"Telegram", "messenger", D("t.me", "telegram.me", "telegram.dog", "telegram.org"), 1},
    {"WhatsApp", "messenger", D("whatsapp.com", "wa.me"), 1},
    {"Discord", "messenger", D("discord.com", "discord.gg", "discordapp.com"), 0},
    {"Element / Matrix", "messenger", D("matrix.to", "element.io"), 0},
    {"Rocket.Chat", "messenger", D("rocket.chat"), 0},
    {"Signal", "messenger", D("signal.group", "signal.me"), 1},
    {"Viber", "messenger", D("viber.com"), 1},
    {"LINE", "messenger", D("line.me"), 1},
    {"TamTam", "messenger", D("tamtam.chat"), 1},
    /* file sharing */
    {"Google Drive", "file_sharing", D("drive.google.com", "docs.google.com"), 0},
    {"Dropbox", "file_sharing", D("dropbox.com", "db.tt"), 0},
    {"MEGA", "file_sharing", D("mega.nz", "mega.io"), 0},
    {"MediaFire", "file_sharing", D("mediafire.com"), 0},
    {"WeTransfer", "file_sharing", D("wetransfer.com", "we.tl"), 0},
    {"OneDrive", "file_sharing", D("onedrive.live.com", "1drv.ms"), 0},
    {"Files.fm", "file_sharing", D("files.fm"), 0},
    {"Gofile", "file_sharing", D("gofile.io"), 0},
    {"Pixeldrain", "file_sharing", D("pixeldrain.com"), 0},
    {"Catbox", "file_sharing", D("catbox.moe"), 0},
    {"Krakenfiles", "file_sharing", D("krakenfiles.com"), 0},
    {"Yandex Disk", "file_sharing", D("disk.yandex.ru", "disk.yandex.com", "yadi.sk"), 0},
    {"GitHub", "file_sharing", D("github.com", "githubusercontent.com"), 0},
    {"Scribd", "file_sharing", D("scribd.com"), 0},
    {"Issuu", "file_sharing", D("issuu.com"), 0},
    /* images */
    {"Imgur", "image", D("imgur.com"), 0},
    {"Flickr", "image", D("flickr.com", "flic.kr"), 0},
    /* paste sites */
    {"Pastebin", "paste", D("pastebin.com"), 0},
    {"JustPaste.it", "paste", D("justpaste.it"), 0},
    {"Rentry", "paste", D("rentry.co", "rentry.org"), 0},
    {"ControlC", "paste", D("controlc.com"), 0},
    /* archives */
    {"Internet Archive", "archive", D("archive.org"), 0},
    {"archive.today", "archive", D("archive.ph", "archive.today", "archive.is", "archive.li", "archive.md"), 0},
    /* forums */
    {"Reddit", "forum", D("reddit.com", "redd.it"), 0},
    {"4chan", "forum", D("4chan.org", "4channel.org"), 0},
    {"8kun", "forum", D("8kun.top"), 0},
    {"Quora", "forum", D("quora.com"), 0},
    /* blogging and publishing */
    {"Telegraph (telegra.ph)", "blogging", D("telegra.ph", "graph.org"), 0},
    {"Medium", "blogging", D("medium.com"), 0},
    {"WordPress.com", "blogging", D("wordpress.com"), 0},
    {"Blogger", "blogging", D("blogspot.com", "blogger.com"), 0},
    {"Substack", "blogging", D("substack.com"), 0},
    {"Google Sites", "blogging", D("sites.google.com"), 0},
    {"Weebly", "blogging", D("weebly.com"), 0},
    {"Wix", "blogging", D("wixsite.com"), 0},
};

const vigil_platform_def *vigil_platform_registry(size_t *n) {
    if (n) *n = sizeof registry / sizeof registry[0];
    return registry;
}

const vigil_platform_def *vigil_platform_for_host(const char *host) {
    if (!host) return NULL;
    const size_t hl = strlen(host);
    const vigil_platform_def *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        for (const char *const *d = registry[i].domains; *d; d++) {
            const size_t dl = strlen(*d);
            if (dl > hl || dl <= best_len) continue;
            if (strcmp(host + hl - dl, *d) != 0) continue;
            if (dl < hl && host[hl - dl - 1] != '.') continue; /* a label boundary */
            best = &registry[i];
            best_len = dl;
        }
    }
    return best;
}
