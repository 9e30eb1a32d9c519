// Keeps the page current as things happen (server-sent events): the bell's unread count and a toast for each new
// notification; the Messages tab's count of unread conversations; and on the Messages list or an open conversation,
// the list or the thread itself, fetched again and put in place (the parts marked data-live), without a reload.
(() => {
  const bell = document.getElementById("bell-count");
  if (!bell || !window.EventSource) return;
  const toast = document.getElementById("toast");
  let seen = null;

  const setTabCount = (count) => {
    const tab = document.getElementById("messages-tab");
    if (!tab) return;
    let badge = tab.querySelector("[data-testid=messages-count]");
    if (count === 0) {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "count";
      badge.dataset.testid = "messages-count";
      tab.append(badge);
    }
    const label = document.createElement("span");
    label.className = "sr-only";
    label.textContent = ", unread conversations: ";
    badge.replaceChildren(label, String(count));
  };

  // The page's live parts, as the server renders them now (for a conversation, fetching it also reads it).
  const refresh = async () => {
    const parts = [...document.querySelectorAll("[data-live]")].filter((part) => part.dataset.live !== "messages-tab");
    if (parts.length === 0) return false;
    const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return false;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const part of document.querySelectorAll("[data-live]")) {
      const fresh = page.querySelector(`[data-live="${part.dataset.live}"]`);
      if (fresh) part.replaceWith(document.importNode(fresh, true));
    }
    return true;
  };

  const source = new EventSource("/api/me/notifications/stream");
  source.addEventListener("notifications", async (event) => {
    const live = JSON.parse(event.data);
    bell.textContent = String(live.unreadCount);
    bell.dataset.zero = String(live.unreadCount === 0);
    bell.closest("a").setAttribute("aria-label", `Notifications, ${live.unreadCount} unread`);
    const latest = live.latest;
    const changed = seen !== null && latest && latest.id !== seen;
    seen = latest ? latest.id : 0;
    document.documentElement.dataset.live = "connected";
    if (!(changed && (await refresh().catch(() => false)))) setTabCount(live.unreadConversations);
    if (changed && toast) {
      toast.replaceChildren();
      const text = document.createElement(latest.link ? "a" : "span");
      text.textContent = latest.text;
      if (latest.link) text.href = latest.link;
      toast.append(text);
      toast.hidden = false;
    }
  });
})();
