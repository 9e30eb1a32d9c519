// Keeps the bell's unread count current and shows each new notification as it arrives (server-sent events).
(() => {
  const bell = document.getElementById("bell-count");
  if (!bell || !window.EventSource) return;
  const toast = document.getElementById("toast");
  let seen = null;
  const source = new EventSource("/api/me/notifications/stream");
  source.addEventListener("notifications", (event) => {
    const live = JSON.parse(event.data);
    bell.textContent = String(live.unreadCount);
    bell.dataset.zero = String(live.unreadCount === 0);
    bell.closest("a").setAttribute("aria-label", `Notifications, ${live.unreadCount} unread`);
    const latest = live.latest;
    if (seen !== null && latest && latest.id !== seen && toast) {
      toast.replaceChildren();
      const text = document.createElement(latest.link ? "a" : "span");
      text.textContent = latest.text;
      if (latest.link) text.href = latest.link;
      toast.append(text);
      toast.hidden = false;
    }
    seen = latest ? latest.id : 0;
  });
})();
