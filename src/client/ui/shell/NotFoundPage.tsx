import { Button } from "../common/Button";
import { navigate } from "../../state/router";
import { PageHeader } from "./PageHeader";

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Not found" />
      <div className="flex flex-col items-center px-6 py-24 text-center">
        <p className="text-5xl font-semibold tracking-tight text-brand-600 dark:text-brand-400">404</p>
        <h2 className="mt-4 text-base font-semibold">This page doesn't exist</h2>
        <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">The link may be broken, or the page may have moved.</p>
        <Button className="mt-6" variant="secondary" onClick={() => navigate("/")}>
          Back to home
        </Button>
      </div>
    </>
  );
}
