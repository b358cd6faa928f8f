import type { Metadata } from "next";
import { ServiceUnavailable } from "@/components/service-unavailable";

export const metadata: Metadata = { title: "Unavailable · Todo" };

export default function UnavailablePage() {
  return <ServiceUnavailable />;
}
