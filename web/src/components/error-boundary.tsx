/** Keeps one failing panel (a graph the browser cannot draw, a chart) from blanking the page. */
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  what: string;
  children: ReactNode;
  onError?: () => void;
}

export class ErrorBoundary extends Component<Props, { failed: string | null }> {
  override state = { failed: null as string | null };

  static getDerivedStateFromError(err: unknown): { failed: string } {
    return { failed: err instanceof Error ? err.message : String(err) };
  }

  override componentDidCatch(_err: unknown, _info: ErrorInfo): void {
    this.props.onError?.();
  }

  override render(): ReactNode {
    if (this.state.failed !== null)
      return (
        <p className="error">
          The {this.props.what} could not be shown: {this.state.failed}
        </p>
      );
    return this.props.children;
  }
}
