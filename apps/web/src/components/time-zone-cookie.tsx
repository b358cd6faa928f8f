"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { TIME_ZONE_COOKIE } from "@/lib/today";

/** Tells the server the browser's time zone, so that "today", "overdue" and "due today" are the person's own. */
export function TimeZoneCookie({ known }: { known: string | null }) {
  const router = useRouter();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === known) return;
    // biome-ignore lint/suspicious/noDocumentCookie: a plain preference cookie, readable by the server.
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; Path=/; Max-Age=31536000; SameSite=Lax`;
    router.refresh();
  }, [known, router]);
  return null;
}
