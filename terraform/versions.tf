terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.40+ for EKS access entries and Pod Identity associations; 6.x changes resource schemas.
      version = "~> 5.40"
    }
  }

  # Keep state in a shared, encrypted, locked backend (an S3 bucket with versioning), configured
  # per environment with `terraform init -backend-config=...`, e.g.:
  # backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name = "${var.project}-${var.environment}"
}
